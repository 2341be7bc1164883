import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../src/services';

/**
 * A person's own new message: edits, deletions and other subtypes carry a `subtype`, and
 * messages from bots (TaskPilot included) a `bot_id`; neither is a request.
 */
const PersonMessage = z.object({
  user: z.string().min(1),
  text: z.string().default(''),
  channel: z.string().min(1),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
});

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_mention' | 'message'>;

/** Hands a person's message to the same handling as `/task`; anything else is ignored. */
function messageRequest(services: Services, kind: 'mention' | 'dm') {
  return async ({ event, context, client }: Args): Promise<void> => {
    if (kind === 'dm' && (event as { channel_type?: string }).channel_type !== 'im') return;
    const parsed = PersonMessage.safeParse(event);
    if (!parsed.success) return;
    const message = parsed.data;
    await services.messages.handle(
      {
        kind,
        teamId: context.teamId ?? '',
        userId: message.user,
        channelId: message.channel,
        text: message.text,
        ts: message.ts,
        threadTs: message.thread_ts ?? null,
        botUserId: context.botUserId ?? null,
      },
      client,
    );
  };
}

/** "@TaskPilot remind me…" in a channel: the answer goes in the message's thread. */
export const appMention = (services: Services) => messageRequest(services, 'mention');

/** A message in TaskPilot's DM (message.im); other message events are not subscribed to. */
export const directMessage = (services: Services) => messageRequest(services, 'dm');
