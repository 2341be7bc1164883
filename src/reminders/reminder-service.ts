import type { WebClient } from '@slack/web-api';
import type { Connection, Model } from 'mongoose';
import { buildDeliveryProblem, buildReminder } from '../../views/reminder';
import type { Delivery, DeliveryTarget } from '../db/models/delivery';
import { type Task, type TaskDocument, taskModel } from '../db/models/task';
import type { Logger } from '../logger';
import { CHANNEL_PROBLEMS, type SlackPoster, slackErrorCode } from '../slack/poster';
import { type WorkspaceClients, WorkspaceInactiveError } from '../slack/workspace-clients';
import { toSummary } from '../tasks/task-commands';
import { advanceById, CHANGED, nextAfter } from './advance-by-id';
import type { Deliveries } from './deliveries';
import { countOccurrencesBetween } from './occurrences';
import { afterFiring, computeNextFire, firingKind, MISSED_AFTER_MS, type ReminderFields } from './task-state';

/** A job that runs earlier than its task's fire time by more than this is stale and waits. */
const EARLY_TOLERANCE_MS = 1000;
export const REMINDER_EVENT = 'taskpilot_reminder';

/** Answers meaning the workspace is gone for us: give up quietly, retries cannot help. */
const WORKSPACE_GONE = new Set([
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'not_authed',
  'team_access_not_granted',
]);
/** A person who cannot be messaged: skip them, tell the others. */
const USER_GONE = new Set(['user_not_found', 'user_disabled', 'cannot_dm_bot']);

export interface FireHooks {
  /** Keeps the job's lock alive during long waits (Slack rate limits). */
  touch(): Promise<void>;
  /** A retry after a failed attempt: late because of the failure, not because TaskPilot was down. */
  retrying?: boolean;
}

export interface ReminderServiceOptions {
  connection: Connection;
  deliveries: Deliveries;
  clients: WorkspaceClients;
  poster: SlackPoster;
  logger: Logger;
  now?: () => Date;
  /** A task with an agent spec starts a run per occurrence instead of posting a reminder. */
  startAgentRun?: (task: TaskDocument, at: Date) => Promise<void>;
}

type PlannedTarget = Omit<DeliveryTarget, 'ts'>;

/** Where a task's reminder goes: its channel, else the thread it came from, else DMs. */
export function reminderTargets(task: Task): PlannedTarget[] {
  if (task.channelId) {
    const threadTs = task.source.channelId === task.channelId ? task.source.threadTs : null;
    return [{ key: `c:${task.channelId}`, channel: task.channelId, userId: null, threadTs }];
  }
  if (task.source.channelId && task.source.threadTs) {
    return [
      {
        key: `t:${task.source.channelId}`,
        channel: task.source.channelId,
        userId: null,
        threadTs: task.source.threadTs,
      },
    ];
  }
  const people = task.assignees.length > 0 ? task.assignees : [task.creatorId];
  return people.map((userId) => ({ key: `u:${userId}`, channel: null, userId, threadTs: null }));
}

type Outcome = 'sent' | 'redirected' | 'failed';

/** What one `fire` did, so the caller knows when to look at the task again. */
export type FireOutcome =
  /** This worker handled the due occurrence (posted, skipped or started its run); `next` is the task's next fire time. */
  | { kind: 'fired'; next: Date | null }
  /** Nothing this worker had to do now: not due yet, handled already, closed or deleted. */
  | { kind: 'idle'; next: Date | null }
  /** Another worker is delivering the occurrence and holds it until then. */
  | { kind: 'busy'; until: Date };

/** How far `send` went. */
export type Sent =
  /** Nothing is left to do for the occurrence. */
  | { kind: 'settled'; outcome: FireOutcome }
  /** Posted (or skipped, or its run started): `record` moves the task past the occurrence. */
  | { kind: 'posted'; record: () => Promise<FireOutcome> };

const settled = (outcome: FireOutcome): Sent => ({ kind: 'settled', outcome });

/**
 * Fires reminders: one occurrence per call, posted once (the Delivery claim), to where the task
 * says, then moves the task to its next fire time. The dispatcher calls `fire` when a task comes
 * due, and its Agenda job when the dispatcher could not (see ReminderSchedule).
 */
export class ReminderService {
  private readonly tasks: Model<Task>;
  private readonly now: () => Date;
  readonly deliveries: Deliveries;

  constructor(private readonly options: ReminderServiceOptions) {
    this.tasks = taskModel(options.connection);
    this.now = options.now ?? (() => new Date());
    this.deliveries = options.deliveries;
  }

  /** Fires whatever is due for the task, and says what became of it. */
  async fire(taskId: string, hooks: FireHooks): Promise<FireOutcome> {
    const sent = await this.send(taskId, hooks);
    return sent.kind === 'settled' ? sent.outcome : sent.record();
  }

  /**
   * Fires whatever is due for the task up to its post, and leaves moving the task past the
   * occurrence to `record`, for the caller to run when it suits: the dispatcher frees the
   * reminder's slot first, so on a single-writer store no post waits behind another reminder's
   * bookkeeping. Until `record` runs, the task still shows the occurrence as due; a click on the
   * reminder meanwhile acts on it as fired (TaskService.complete / snooze from a reminder), and
   * the occurrence's Delivery, closed here, keeps any other firing from posting it again.
   */
  async send(taskId: string, hooks: FireHooks): Promise<Sent> {
    const task = await this.tasks.findById(taskId);
    if (task?.status !== 'open' || !task.nextFireAt) return settled({ kind: 'idle', next: null });
    const at = task.nextFireAt;
    const now = this.now();
    if (at.getTime() - now.getTime() > EARLY_TOLERANCE_MS) return settled({ kind: 'idle', next: at });
    const kind = firingKind(task, at);
    if (kind === 'stale') return settled({ kind: 'idle', next: await this.repairNextFire(task, at) });

    const lateNow = !hooks.retrying && now.getTime() - at.getTime() > MISSED_AFTER_MS;
    const claim = await this.deliveries.claim({
      key: `task:${taskId}`,
      at,
      teamId: task.teamId,
      taskId: task._id,
      late: lateNow,
    });
    if (claim.kind === 'busy') return settled({ kind: 'busy', until: claim.until });
    // Taking over a delivery another worker began: late only if it was late when that one began
    // (a dead worker's lease or a backlog is not "TaskPilot was down").
    const late = claim.kind === 'claimed' && claim.takeover ? claim.delivery.late : lateNow;
    const count =
      late && kind === 'occurrence' && task.recurrence ? 1 + countOccurrencesBetween(task.recurrence, at, now) : 1;
    const missed = late && kind === 'occurrence' ? { at, count, postedLate: task.missedPolicy === 'late' } : null;
    if (claim.kind === 'claimed') {
      if (late && task.missedPolicy === 'skip') {
        await this.deliveries.finish(claim.delivery, 'skipped');
        this.options.logger.info({ taskId, at, count }, 'missed reminder skipped by the task policy');
      } else if (task.agent && this.options.startAgentRun) {
        await this.options.startAgentRun(task, at);
        await this.deliveries.finish(claim.delivery, 'sent');
      } else {
        await this.deliver(
          task,
          at,
          claim.delivery,
          claim.takeover,
          { late: late ? { count } : null, repeat: kind === 'snooze' },
          hooks,
        );
      }
    }
    // Another worker posted it and may not have moved the task yet: moved here, at once.
    if (claim.kind === 'finished')
      return settled({ kind: 'idle', next: await this.advance(taskId, at, missed, now, task) });
    return {
      kind: 'posted',
      // The clock of the firing, not of the record: a recurrence moves to its first occurrence after it.
      record: async () => ({ kind: 'fired', next: await this.advance(taskId, at, missed, now, task) }),
    };
  }

  /** Posts one occurrence again (a dead-letter retry) without moving the task's schedule. */
  async redeliver(taskId: string, at: Date, hooks: FireHooks): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (task?.status !== 'open') return;
    await this.deliveries.reopen(`task:${taskId}`, at);
    const claim = await this.deliveries.claim({
      key: `task:${taskId}`,
      at,
      teamId: task.teamId,
      taskId: task._id,
      late: true,
    });
    if (claim.kind !== 'claimed') return;
    await this.deliver(task, at, claim.delivery, claim.takeover, { late: { count: 1 }, repeat: false }, hooks);
  }

  /** The fire time the task's job is working on (for a give-up after the last retry). */
  async pendingFireTime(taskId: string): Promise<Date | null> {
    const task = await this.tasks.findById(taskId, { nextFireAt: 1 }).lean();
    return task?.nextFireAt ?? null;
  }

  /**
   * After the last retry failed: the occurrence is given up (the dead-letter queue keeps it) and
   * the task moves on, so its next occurrence is not blocked by this one.
   */
  async giveUp(taskId: string, at: Date, error: string): Promise<Date | null> {
    await this.deliveries.giveUp(`task:${taskId}`, at, error);
    return this.advance(taskId, at, null, this.now());
  }

  /**
   * A stored next fire time that matches neither a snooze nor an unfired occurrence (it cannot
   * happen through the services; a hand edit could): store the computed one instead of firing.
   */
  private async repairNextFire(task: TaskDocument, at: Date): Promise<Date | null> {
    const next = computeNextFire(task);
    const repaired = next && next.getTime() !== at.getTime() ? next : null;
    this.options.logger.error(
      { taskId: String(task._id), at, next: repaired },
      'task had an inconsistent next fire time',
    );
    await this.tasks.updateOne({ _id: task._id, rev: task.rev }, { $set: { nextFireAt: repaired }, $inc: { rev: 1 } });
    return repaired;
  }

  /**
   * Moves the task past `at`, unless someone changed it meanwhile (then their change stands). The
   * task as the firing read it is written by `_id` first (see advanceById), without reading it
   * again: at 1,000 reminders a minute on FerretDB a second read costs 8 % of the database's time.
   * A write that came in between (a click on the reminder, an edit) is found in the document as
   * it was before, and the rev-guarded writes after it decide.
   */
  private async advance(
    taskId: string,
    at: Date,
    missed: ReminderFields['missed'],
    now: Date,
    loaded?: TaskDocument,
  ): Promise<Date | null> {
    if (loaded) {
      const moved = await advanceById(this.tasks, loaded, { at, missed, now }, this.options.logger);
      if (moved !== CHANGED) return moved;
    }
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const task = await this.tasks.findById(taskId);
      if (task?.status !== 'open') return null;
      if (task.nextFireAt?.getTime() !== at.getTime()) return task.nextFireAt;
      const patch = afterFiring(task, at, now, missed);
      const updated = await this.tasks.updateOne({ _id: task._id, rev: task.rev }, { $set: patch, $inc: { rev: 1 } });
      if (updated.modifiedCount === 1) return nextAfter(task, patch);
    }
    throw new Error(`task ${taskId} kept changing while its reminder was being recorded`);
  }

  private async deliver(
    task: TaskDocument,
    at: Date,
    delivery: Delivery,
    takeover: boolean,
    context: { late: { count: number } | null; repeat: boolean },
    hooks: FireHooks,
  ): Promise<void> {
    const { logger } = this.options;
    const log = logger.child({ taskId: String(task._id), teamId: task.teamId, at });
    let client: WebClient;
    try {
      client = await this.options.clients.forTeam(task.teamId);
    } catch (error) {
      if (!(error instanceof WorkspaceInactiveError)) throw error;
      log.warn('workspace is no longer installed; reminder dropped');
      await this.deliveries.finish(delivery, 'failed', { error: 'workspace_inactive' });
      return;
    }
    const message = buildReminder(toSummary(task), {
      tz: task.tz,
      occurrence: context.repeat ? (task.firedOccurrence ?? at) : at,
      firedAt: at,
      missed: context.late,
      repeat: context.repeat,
    });
    const onWait = async () => {
      await hooks.touch();
      await this.deliveries.renew(delivery);
    };
    const recorded = delivery.targets.filter((target) => target.ts);
    const done = new Set(recorded.map((target) => target.key));
    const planned = reminderTargets(task);
    const outcomes: Outcome[] = [];
    try {
      for (const target of planned) {
        if (done.has(target.key)) {
          outcomes.push('sent');
          continue;
        }
        const result = await this.deliverTo(client, task, target, delivery, takeover, message, onWait, log);
        outcomes.push(result.outcome);
        if (result.record) {
          recorded.push(result.record);
          // Progress matters only when a retry could find some targets done and others not.
          if (planned.length > 1) await this.deliveries.recordTarget(delivery, result.record);
        }
      }
    } catch (error) {
      const code = slackErrorCode(error);
      if (code && WORKSPACE_GONE.has(code)) {
        log.warn({ code }, 'workspace token no longer works; reminder dropped');
        this.options.clients.forget(task.teamId);
        await this.deliveries.finish(delivery, 'failed', { error: code });
        return;
      }
      await this.deliveries.release(delivery);
      throw error;
    }
    const state = outcomes.includes('redirected') ? 'redirected' : outcomes.includes('sent') ? 'sent' : 'failed';
    await this.deliveries.finish(delivery, state, { targets: recorded });
    log.info({ state, targets: outcomes.length }, 'reminder delivered');
  }

  private async deliverTo(
    client: WebClient,
    task: TaskDocument,
    target: PlannedTarget,
    delivery: Delivery,
    takeover: boolean,
    message: ReturnType<typeof buildReminder>,
    onWait: () => Promise<void>,
    log: Logger,
  ): Promise<{ outcome: Outcome; record: DeliveryTarget | null }> {
    const { poster } = this.options;
    let channel = target.channel;
    if (!channel && target.userId) {
      try {
        channel = await this.options.poster.openDm(client, task.teamId, target.userId, onWait);
      } catch (error) {
        const code = slackErrorCode(error);
        if (code && USER_GONE.has(code)) {
          log.warn({ code, userId: target.userId }, 'cannot message this person; skipped');
          return { outcome: 'failed', record: null };
        }
        throw error;
      }
    }
    if (!channel) return { outcome: 'failed', record: null };
    const payload = { delivery: String(delivery._id), target: target.key };
    if (takeover) {
      const ts = await this.findPosted(client, task.teamId, channel, target.threadTs, payload, delivery.createdAt, log);
      if (ts) {
        log.info({ channel }, 'reminder was already posted before a worker stopped; not posting again');
        return { outcome: 'sent', record: { ...target, channel, ts } };
      }
    }
    try {
      const posted = await poster.call<{ ok: boolean; ts?: string }>(
        client,
        task.teamId,
        'chat.postMessage',
        {
          channel,
          ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          metadata: { event_type: REMINDER_EVENT, event_payload: payload },
        },
        { channel, onWait },
      );
      return { outcome: 'sent', record: { ...target, channel, ts: posted.ts ?? '' } };
    } catch (error) {
      const code = slackErrorCode(error);
      if (!code || !CHANNEL_PROBLEMS.has(code)) throw error;
      log.warn({ code, channel }, 'reminder channel refused the post; telling the creator');
      await this.tellCreator(client, task, channel, code, message, onWait);
      return { outcome: 'redirected', record: { ...target, channel, ts: `redirected:${code}` } };
    }
  }

  private async tellCreator(
    client: WebClient,
    task: TaskDocument,
    channel: string,
    code: string,
    reminder: ReturnType<typeof buildReminder>,
    onWait: () => Promise<void>,
  ): Promise<void> {
    const { poster } = this.options;
    const dm = await poster.openDm(client, task.teamId, task.creatorId, onWait);
    if (!dm) return;
    const notice = buildDeliveryProblem(toSummary(task), channel, code);
    await poster.call(
      client,
      task.teamId,
      'chat.postMessage',
      {
        channel: dm,
        text: notice.text,
        blocks: [...notice.blocks, ...reminder.blocks],
      },
      { channel: dm, onWait },
    );
  }

  /**
   * A worker that died between posting and recording leaves no ts: look for the message by its
   * metadata before posting again. Needs history access to the conversation (DMs: im:history);
   * where Slack refuses, the reminder is posted again rather than lost.
   */
  private async findPosted(
    client: WebClient,
    teamId: string,
    channel: string,
    threadTs: string | null,
    payload: { delivery: string; target: string },
    since: Date,
    log: Logger,
  ): Promise<string | null> {
    const oldest = String(Math.floor(since.getTime() / 1000) - 5);
    try {
      const method = threadTs ? 'conversations.replies' : 'conversations.history';
      const args = { channel, oldest, limit: 100, include_all_metadata: true, ...(threadTs ? { ts: threadTs } : {}) };
      const page = await this.options.poster.call<{
        ok: boolean;
        messages?: { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[];
      }>(client, teamId, method, args);
      const found = page.messages?.find(
        (message) =>
          message.metadata?.event_type === REMINDER_EVENT &&
          message.metadata.event_payload?.delivery === payload.delivery &&
          message.metadata.event_payload?.target === payload.target,
      );
      return found?.ts ?? null;
    } catch (error) {
      log.warn({ err: error, channel }, 'could not check whether the reminder was already posted; posting it');
      return null;
    }
  }
}
