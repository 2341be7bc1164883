import type { Connection, Model, Types } from 'mongoose';
import { buildDeadLetterNotice } from '../../views/reminder';
import { type DeadLetter, type DeadLetterState, deadLetterModel } from '../db/models/dead-letter';
import type { Logger } from '../logger';
import type { SlackPoster } from '../slack/poster';
import type { WorkspaceClients } from '../slack/workspace-clients';

export type DeadLetterDoc = DeadLetter & { _id: Types.ObjectId };

/** Admins told about one failure at most; a large workspace is not paged wholesale. */
const MAX_ADMINS_TOLD = 5;

/** Describes a dead job for people: "The reminder for a task" rather than a job name. */
function describeJob(jobName: string): string {
  if (jobName.startsWith('reminder.')) return 'A reminder';
  if (jobName.startsWith('digest.')) return 'A morning digest';
  return `The job ${jobName}`;
}

/**
 * Jobs that failed their last retry. Each is recorded once, the workspace's admins are told once
 * (a conditional update picks the one worker that tells them), and operators retry or drop it.
 */
export class DeadLetters {
  readonly model: Model<DeadLetter>;

  constructor(
    connection: Connection,
    private readonly deps: { clients: WorkspaceClients; poster: SlackPoster; logger: Logger },
  ) {
    this.model = deadLetterModel(connection);
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  async record(input: {
    jobName: string;
    jobData: Record<string, unknown>;
    teamId: string | null;
    error: string;
    failCount: number;
  }): Promise<DeadLetterDoc> {
    const created = await this.model.create({ ...input, state: 'open', adminsNotifiedAt: null });
    this.deps.logger.error(
      { deadLetter: String(created._id), job: input.jobName, error: input.error },
      'job moved to the dead-letter queue',
    );
    return created.toObject() as DeadLetterDoc;
  }

  async notifyAdmins(entry: DeadLetterDoc): Promise<number> {
    if (!entry.teamId) return 0;
    const claimed = await this.model.findOneAndUpdate(
      { _id: entry._id, adminsNotifiedAt: null },
      { $set: { adminsNotifiedAt: new Date() } },
    );
    if (!claimed) return 0;
    const { clients, poster } = this.deps;
    const client = await clients.forTeam(entry.teamId);
    const admins: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await poster.call<{
        ok: boolean;
        members?: { id?: string; is_admin?: boolean; is_owner?: boolean; is_bot?: boolean; deleted?: boolean }[];
        response_metadata?: { next_cursor?: string };
      }>(client, entry.teamId, 'users.list', { limit: 200, ...(cursor ? { cursor } : {}) });
      for (const member of page.members ?? []) {
        if (member.id && (member.is_admin || member.is_owner) && !member.is_bot && !member.deleted)
          admins.push(member.id);
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor && admins.length < MAX_ADMINS_TOLD);
    const notice = buildDeadLetterNotice(describeJob(entry.jobName), entry.error, String(entry._id));
    for (const admin of admins.slice(0, MAX_ADMINS_TOLD)) {
      const dm = await poster.openDm(client, entry.teamId, admin);
      if (dm) {
        await poster.call(client, entry.teamId, 'chat.postMessage', { channel: dm, ...notice }, { channel: dm });
      }
    }
    return Math.min(admins.length, MAX_ADMINS_TOLD);
  }

  async list(state: DeadLetterState | 'all' = 'open', limit = 100): Promise<DeadLetterDoc[]> {
    const filter = state === 'all' ? {} : { state };
    return this.model.find(filter).sort({ createdAt: -1 }).limit(limit).lean<DeadLetterDoc[]>();
  }

  /** Marks an open entry as taken for a retry or a drop; null when it is not open (or unknown). */
  async take(id: string, state: 'retried' | 'dropped'): Promise<DeadLetterDoc | null> {
    if (!/^[0-9a-f]{24}$/i.test(id)) return null;
    return this.model
      .findOneAndUpdate({ _id: id, state: 'open' }, { $set: { state } }, { returnDocument: 'after' })
      .lean<DeadLetterDoc>();
  }
}
