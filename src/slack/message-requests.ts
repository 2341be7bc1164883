import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../views/help';
import { asTaskPilotError, isUserCaused } from '../errors';
import type { Logger } from '../logger';
import { assertRequestLength } from '../parse';
import { type CommandDeps, runTaskCommand } from '../tasks/task-commands';
import type { UserProfiles } from './user-profiles';

/** A message addressed to TaskPilot: an @mention in a channel, or a message in its DM. */
export interface MessageRequest {
  kind: 'mention' | 'dm';
  teamId: string;
  userId: string;
  channelId: string;
  text: string;
  ts: string;
  /** Set when the message is itself a reply in a thread. */
  threadTs: string | null;
  botUserId: string | null;
}

export interface MessageRequestsOptions extends CommandDeps {
  profiles: UserProfiles;
  logger: Logger;
  now: () => Date;
}

/** The text without the mention of TaskPilot itself ("@TaskPilot remind me…" → "remind me…"). */
export function withoutBotMention(text: string, botUserId: string | null): string {
  const own = botUserId ? new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g') : null;
  return (own ? text.replace(own, ' ') : text).replace(/\s+/g, ' ').trim();
}

/**
 * Mentions and DMs go through the same parser and verbs as `/task`; the answer is a reply in the
 * message's thread, and a task made in a thread keeps that thread for its reminders. A request
 * we refuse gets its reason in the thread too, since a message has no response URL.
 */
export class MessageRequests {
  constructor(private readonly options: MessageRequestsOptions) {}

  async handle(request: MessageRequest, client: WebClient): Promise<void> {
    const replyIn = request.threadTs ?? request.ts;
    const reply = (message: SlackMessage | { text: string }) =>
      client.chat.postMessage({ channel: request.channelId, thread_ts: replyIn, ...message });
    try {
      const text = withoutBotMention(request.text, request.botUserId);
      assertRequestLength(text);
      const profile = await this.options.profiles.get(client, request.teamId, request.userId);
      const message = await runTaskCommand(
        {
          command: request.kind === 'mention' ? '@TaskPilot' : '/task',
          text,
          teamId: request.teamId,
          userId: request.userId,
          channelId: request.channelId,
          tz: profile.tz,
          isAdmin: profile.isAdmin,
          now: this.options.now(),
          // In a channel the thread is where the task was asked for; a DM's top level is the DM.
          source: { kind: request.kind, threadTs: request.kind === 'mention' ? replyIn : request.threadTs },
        },
        this.options,
      );
      await reply(message);
    } catch (error) {
      if (!isUserCaused(error)) {
        // Logged and reported by the global error handler; the person still hears something.
        await reply({ text: asTaskPilotError(error).userMessage }).catch(() => undefined);
        throw error;
      }
      this.options.logger.info({ reason: asTaskPilotError(error).message, kind: request.kind }, 'request refused');
      await reply({ text: asTaskPilotError(error).userMessage });
    }
  }
}
