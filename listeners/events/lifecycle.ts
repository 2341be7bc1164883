import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../src/services';

const Envelope = z.object({ team_id: z.string().min(1) });
const TokensRevoked = z.object({ tokens: z.object({ bot: z.array(z.string()).optional() }) });

/**
 * app_uninstalled, and tokens_revoked for our bot token: the workspace is revoked, its jobs are
 * cancelled and nothing more is posted there. A revoked user token alone changes nothing: we
 * hold none.
 */
export function lifecycleEvent(services: Services) {
  return async ({
    event,
    body,
  }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_uninstalled' | 'tokens_revoked'>) => {
    const envelope = Envelope.safeParse(body);
    if (!envelope.success) {
      services.logger.warn({ type: event.type }, 'lifecycle event without a team id');
      return;
    }
    if (event.type === 'tokens_revoked') {
      const revoked = TokensRevoked.safeParse(event);
      if (!revoked.success || (revoked.data.tokens.bot ?? []).length === 0) return;
    }
    await services.workspaces.revoke(envelope.data.team_id, event.type);
  };
}
