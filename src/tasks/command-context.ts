import type { TaskSource } from '../db/models/task';

/** Who typed what, where, and in which zone. */
export interface CommandContext {
  command: string;
  text: string;
  teamId: string;
  userId: string;
  channelId: string;
  tz: string;
  isAdmin: boolean;
  now: Date;
  /** Where the request came from when it is not `/task`: a mention or a DM, and its thread. */
  source?: { kind: TaskSource; threadTs: string | null };
}

/** Where a task made from this request came from: the command's channel, a mention's thread. */
export function taskSourceOf(context: CommandContext): {
  kind: TaskSource;
  channelId: string | null;
  threadTs: string | null;
} {
  return {
    kind: context.source?.kind ?? 'command',
    channelId: context.channelId || null,
    threadTs: context.source?.threadTs ?? null,
  };
}
