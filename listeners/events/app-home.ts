import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../src/services';

const HomeOpened = z.object({ user: z.string().min(1), tab: z.string().optional() });

/**
 * app_home_opened: publish the person's home tab (the Messages tab needs nothing). It goes
 * through the coalesced background refresh: opening the tab again while it is being built adds
 * at most one more publish, and it yields to people's requests when the process is busy.
 */
export function appHomeOpened(services: Services) {
  return async ({ event, context, client }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>) => {
    const parsed = HomeOpened.safeParse(event);
    if (!parsed.success || (parsed.data.tab && parsed.data.tab !== 'home')) return;
    services.home.refresh(context.teamId ?? '', parsed.data.user, client);
  };
}
