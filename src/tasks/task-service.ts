import { type Connection, type Model, type QueryFilter, Types } from 'mongoose';
import type { AgentSpec } from '../db/models/agent-run';
import {
  counterModel,
  MAX_NOTES_LENGTH,
  MAX_TITLE_LENGTH,
  type MissedPolicy,
  type Task,
  type TaskDocument,
  type TaskSource,
  type TaskStatus,
  taskModel,
} from '../db/models/task';
import { insertOnce, retryOnConnectionLoss } from '../db/write-retry';
import { ErrorCode, TaskPilotError, UserInputError } from '../errors';
import {
  afterDone,
  afterReopen,
  afterReschedule,
  afterSnooze,
  computeNextFire,
  withFiringRecorded,
  withPatch,
} from '../reminders/task-state';

/** Keeps a task's reminder job in step with the task; called after every write. */
export interface ReminderSync {
  sync(task: TaskDocument): Promise<void>;
}

export type TaskChangeKind =
  | 'created'
  | 'done'
  | 'reopened'
  | 'snoozed'
  | 'deleted'
  | 'edited'
  | 'restored'
  | 'stopped'
  | 'settings';

export interface TaskChangeEvent {
  kind: TaskChangeKind;
  task: TaskDocument;
  /** The task as it was; null for a create. */
  before: TaskDocument | null;
  actor: Actor;
}

/**
 * Told after a task write has landed (notifications, the home tab). Must not throw: the change is
 * made, and failing the person's request now would report it as not made.
 */
export interface TaskWatcher {
  taskChanged(event: TaskChangeEvent): Promise<void>;
}

/** Who is asking: permission to change a task comes from being its creator, an assignee or an admin. */
export interface Actor {
  teamId: string;
  userId: string;
  isAdmin: boolean;
}

/**
 * Where a Done or Snooze came from: a command, a notice or the home tab, or a reminder's own
 * buttons with the fire time the reminder was posted for (null on reminders posted before the
 * buttons carried it).
 */
export type ActionOrigin = 'command' | { reminder: Date | null };

export interface NewTask {
  teamId: string;
  creatorId: string;
  title: string;
  notes?: string | null;
  assignees: string[];
  channelId: string | null;
  dueAt: Date | null;
  tz: string;
  recurrence: { rrule: string; tz: string } | null;
  source: { kind: TaskSource; channelId?: string | null; threadTs?: string | null; permalink?: string | null };
  nagMinutes?: number | null;
  missedPolicy?: MissedPolicy;
  /** A scheduled agent run (checked against the workspace's policy by the caller). */
  agent?: AgentSpec | null;
}

export type ListScope = 'mine' | 'assigned_by_me' | 'channel' | 'all';

export interface ListQuery {
  teamId: string;
  scope: ListScope;
  userId: string;
  channelId?: string;
  /** Someone else's list: "/task list @ana". */
  otherUserId?: string;
  includeDone?: boolean;
  limit?: number;
}

export interface TaskEdit {
  title?: string;
  notes?: string | null;
  dueAt?: Date | null;
  recurrence?: { rrule: string; tz: string } | null;
  assignees?: string[];
  channelId?: string | null;
}

const MAX_LIST = 200;
/** Statuses a person still sees; deleted tasks are kept but hidden. */
const LIVE: TaskStatus[] = ['open', 'done'];
const MAX_NUMBER_ATTEMPTS = 25;
/** Read-modify-write attempts when another writer changed the task in between. */
const MAX_WRITE_ATTEMPTS = 8;

const isDuplicateKey = (error: unknown): boolean => (error as { code?: number } | null)?.code === 11000;

export class TaskNotFoundError extends UserInputError {
  constructor(number: number) {
    super(`I can't find task #${number} in this workspace. \`/task list\` shows your tasks.`);
    this.name = 'TaskNotFoundError';
  }
}

export class TaskForbiddenError extends TaskPilotError {
  constructor(number: number) {
    const message = `Only the person who created #${number}, someone it is assigned to, or a workspace admin can change it.`;
    super(ErrorCode.Forbidden, message, message);
    this.name = 'TaskForbiddenError';
  }
}

function cleanTitle(title: string): string {
  const clean = title.replace(/\s+/g, ' ').trim();
  if (!clean)
    throw new UserInputError('What should the task be? Add a few words, e.g. `/task water the plants at 5pm`.');
  if (clean.length > MAX_TITLE_LENGTH) {
    throw new UserInputError(
      `That title is ${clean.length} characters; a task title can have up to ${MAX_TITLE_LENGTH}.`,
    );
  }
  return clean;
}

function cleanNotes(notes: string | null | undefined): string | null {
  const clean = notes?.trim() ?? '';
  if (clean.length > MAX_NOTES_LENGTH) {
    throw new UserInputError(`Notes can have up to ${MAX_NOTES_LENGTH} characters; these have ${clean.length}.`);
  }
  return clean || null;
}

/**
 * Every field of a new task but its number, as TaskService.create stores it: the title and notes
 * cleaned (a title that cleans to nothing is refused), nothing fired or closed yet, the next fire
 * time computed. Seeding in tests and benchmarks stores the same.
 */
export function newTaskFields(input: NewTask) {
  const schedule = {
    status: 'open' as const,
    dueAt: input.dueAt,
    snoozedUntil: null,
    recurrence: input.recurrence,
    nagMinutes: input.nagMinutes ?? null,
    firedOccurrence: null,
    closedOccurrence: null,
  };
  return {
    ...schedule,
    nextFireAt: computeNextFire(schedule),
    missedPolicy: input.missedPolicy ?? 'late',
    missed: null,
    rev: 0,
    teamId: input.teamId,
    title: cleanTitle(input.title),
    notes: cleanNotes(input.notes),
    creatorId: input.creatorId,
    assignees: [...new Set(input.assignees)],
    channelId: input.channelId,
    tz: input.tz,
    source: {
      kind: input.source.kind,
      channelId: input.source.channelId ?? null,
      threadTs: input.source.threadTs ?? null,
      permalink: input.source.permalink ?? null,
    },
    agent: input.agent ?? null,
    completedAt: null,
    completedBy: null,
    deletedAt: null,
    deletedBy: null,
  };
}

/**
 * Tasks in MongoDB. Every query is scoped to one workspace, served by an index of the Task model,
 * and built from typed values only: text a person typed is never a query key or operator.
 * Changes are single conditional updates, so nothing is half-written.
 */
export class TaskService {
  private readonly tasks: Model<Task>;
  private readonly counters: ReturnType<typeof counterModel>;
  private readonly watchers: TaskWatcher[] = [];

  constructor(
    connection: Connection,
    private readonly now: () => Date = () => new Date(),
    private readonly reminders: ReminderSync = { sync: async () => {} },
  ) {
    this.tasks = taskModel(connection);
    this.counters = counterModel(connection);
  }

  /** Adds a watcher told of every change after it is stored. */
  watch(watcher: TaskWatcher): void {
    this.watchers.push(watcher);
  }

  private async tell(event: TaskChangeEvent): Promise<void> {
    await Promise.all(this.watchers.map((watcher) => watcher.taskChanged(event)));
  }

  /** Builds the collections' indexes (the app does this at start; tests call it). */
  async init(): Promise<void> {
    await Promise.all([this.tasks.init(), this.counters.init()]);
  }

  private async nextNumber(teamId: string): Promise<number> {
    // Two first-ever creates can both try to insert the counter; the loser's upsert fails on the
    // unique _id, and a second attempt then finds the counter and increments it.
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Repeated after a lost connection: a number taken twice leaves a gap, nothing worse.
        const counter = await retryOnConnectionLoss(() =>
          this.counters.findOneAndUpdate(
            { _id: `task:${teamId}` },
            { $inc: { seq: 1 } },
            { upsert: true, returnDocument: 'after' },
          ),
        );
        if (!counter) throw new TaskPilotError(ErrorCode.Unknown, `task counter for ${teamId} was not created`);
        return counter.seq;
      } catch (error) {
        if (attempt >= MAX_NUMBER_ATTEMPTS || !isDuplicateKey(error)) throw error;
      }
    }
  }

  /**
   * The unique (team, number) index is what guarantees distinct numbers: the counter makes
   * conflicts rare (its $inc is atomic on MongoDB, and on our FerretDB since
   * scripts/ferretdb/0005), and a create that still loses a race takes the next number.
   */
  async create(input: NewTask): Promise<TaskDocument> {
    const fields = newTaskFields(input);
    this.assertFuture(input.dueAt);
    // Chosen here, so an insert whose connection was lost can be retried and its landing told.
    const _id = new Types.ObjectId();
    for (let attempt = 1; ; attempt += 1) {
      const number = await this.nextNumber(input.teamId);
      try {
        const task = await insertOnce(
          'task create',
          () => this.tasks.create({ _id, ...fields, number }),
          () => this.tasks.findById(_id).exec(),
        );
        await this.reminders.sync(task);
        await this.tell({
          kind: 'created',
          task,
          before: null,
          actor: { teamId: input.teamId, userId: input.creatorId, isAdmin: false },
        });
        return task;
      } catch (error) {
        if (attempt >= MAX_NUMBER_ATTEMPTS || !isDuplicateKey(error)) throw error;
      }
    }
  }

  /**
   * The task as a click on it should see it (a reminder's firing that is not recorded yet counts
   * as recorded), and where the click came from, for the state functions.
   */
  private asClicked(
    task: TaskDocument,
    origin: ActionOrigin,
  ): ReturnType<typeof withFiringRecorded> & { from: 'reminder' | 'command' } {
    if (origin === 'command') return { fired: {}, task, from: 'command' };
    return { ...withFiringRecorded(task, origin.reminder, this.now()), from: 'reminder' };
  }

  /** A reminder in the past would never fire: say so instead of storing it. */
  private assertFuture(dueAt: Date | null): void {
    if (dueAt && dueAt <= this.now()) {
      throw new UserInputError('That time has already passed. Pick a time in the future.');
    }
  }

  /** A task that is not deleted, in the actor's workspace only. */
  async get(teamId: string, number: number): Promise<TaskDocument> {
    const task = await this.tasks.findOne({ teamId, number, status: { $in: LIVE } });
    if (!task) throw new TaskNotFoundError(number);
    return task;
  }

  canChange(task: Task, actor: Actor): boolean {
    return (
      task.teamId === actor.teamId &&
      (actor.isAdmin || task.creatorId === actor.userId || task.assignees.includes(actor.userId))
    );
  }

  async list(query: ListQuery): Promise<TaskDocument[]> {
    const statuses: TaskStatus[] = query.includeDone ? ['open', 'done'] : ['open'];
    const base = { teamId: query.teamId, status: { $in: statuses } };
    const subject = query.otherUserId ?? query.userId;
    let filter: QueryFilter<Task>;
    switch (query.scope) {
      case 'mine':
        filter = { ...base, $or: [{ assignees: subject }, { creatorId: subject, assignees: { $size: 0 } }] };
        break;
      case 'assigned_by_me':
        // Made by me for others (not for myself among them).
        filter = { ...base, creatorId: query.userId, assignees: { $nin: [query.userId], $ne: [] } };
        break;
      case 'channel':
        filter = { ...base, channelId: query.channelId ?? null };
        break;
      case 'all':
        filter = base;
        break;
    }
    // Tasks without a time sort after timed ones, oldest first.
    const limit = Math.min(query.limit ?? MAX_LIST, MAX_LIST);
    // One batch for the whole page: the driver's first batch is 101 documents, and a longer list
    // would cost a getMore more.
    const rows = await this.tasks.find(filter).sort({ dueAt: 1, number: 1 }).limit(limit).batchSize(limit);
    return [...rows.filter((task) => task.dueAt !== null), ...rows.filter((task) => task.dueAt === null)];
  }

  /** Done: a one-off task closes; a recurring one closes its current occurrence (see afterDone). */
  async complete(actor: Actor, number: number, origin: ActionOrigin = 'command'): Promise<TaskDocument> {
    return this.mutate(actor, number, 'live', 'done', (current) => {
      const { fired, task, from } = this.asClicked(current, origin);
      const { patch } = afterDone(task, from);
      const done = { ...fired, ...patch };
      return patch.status === 'done' ? { ...done, completedAt: this.now(), completedBy: actor.userId } : done;
    });
  }

  /** Ends a recurring series (or closes a one-off): no more reminders. */
  async stop(actor: Actor, number: number): Promise<TaskDocument> {
    return this.mutate(actor, number, 'live', 'stopped', () => ({
      status: 'done',
      nextFireAt: null,
      completedAt: this.now(),
      completedBy: actor.userId,
    }));
  }

  async reopen(actor: Actor, number: number): Promise<TaskDocument> {
    return this.mutate(actor, number, 'live', 'reopened', (task) => ({
      ...afterReopen(task, this.now()),
      completedAt: null,
      completedBy: null,
    }));
  }

  /** Moves one occurrence only; a recurring series keeps its rule. */
  async snooze(actor: Actor, number: number, until: Date, origin: ActionOrigin = 'command'): Promise<TaskDocument> {
    this.assertFuture(until);
    return this.mutate(actor, number, 'live', 'snoozed', (current) => {
      const { fired, task, from } = this.asClicked(current, origin);
      return {
        ...fired,
        ...afterSnooze(task, until, from),
        status: 'open',
        completedAt: null,
        completedBy: null,
      };
    });
  }

  /** "Remind me every N minutes until done"; null turns nagging off. */
  async setNag(actor: Actor, number: number, minutes: number | null): Promise<TaskDocument> {
    return this.mutate(actor, number, 'live', 'settings', (task) => {
      // Turning nagging off drops the pending nag (a snooze and a nag look the same); turning it
      // on starts with the next reminder, or one interval from now when none is pending.
      let snoozedUntil = minutes === null && task.nagMinutes !== null ? null : task.snoozedUntil;
      if (minutes !== null && task.status === 'open' && computeNextFire(task) === null) {
        snoozedUntil = new Date(this.now().getTime() + minutes * 60_000);
      }
      return { nagMinutes: minutes, snoozedUntil, nextFireAt: computeNextFire(withPatch(task, { snoozedUntil })) };
    });
  }

  async setMissedPolicy(actor: Actor, number: number, policy: MissedPolicy): Promise<TaskDocument> {
    return this.mutate(actor, number, 'live', 'settings', () => ({ missedPolicy: policy }));
  }

  /** Soft delete: the task leaves every list but stays for the audit trail (and Undo). */
  async remove(actor: Actor, number: number): Promise<TaskDocument> {
    return this.mutate(actor, number, 'live', 'deleted', () => ({
      status: 'deleted',
      nextFireAt: null,
      deletedAt: this.now(),
      deletedBy: actor.userId,
    }));
  }

  /** Undo of a delete, for the person allowed to delete it. */
  async restore(actor: Actor, number: number): Promise<TaskDocument> {
    return this.mutate(actor, number, 'deleted', 'restored', (current) => ({
      ...afterReopen(current, this.now()),
      deletedAt: null,
      deletedBy: null,
    }));
  }

  async edit(actor: Actor, number: number, changes: TaskEdit): Promise<TaskDocument> {
    return this.mutate(actor, number, 'live', 'edited', (task) => {
      this.assertFuture(changes.dueAt ?? null);
      const set: Partial<Task> = {};
      if (changes.title !== undefined) set.title = cleanTitle(changes.title);
      if (changes.notes !== undefined) set.notes = cleanNotes(changes.notes);
      if (changes.dueAt !== undefined || changes.recurrence !== undefined) {
        Object.assign(
          set,
          afterReschedule(
            task,
            changes.dueAt !== undefined ? changes.dueAt : task.dueAt,
            changes.recurrence !== undefined ? changes.recurrence : task.recurrence,
          ),
        );
      }
      if (changes.assignees !== undefined) set.assignees = [...new Set(changes.assignees)];
      if (changes.channelId !== undefined) set.channelId = changes.channelId;
      return set;
    });
  }

  /**
   * Read (in the actor's workspace, and only if they may change the task), compute, write only if
   * nobody wrote in between (the revision), else read again: a change is one atomic document
   * update without transactions, which FerretDB lacks. The reminder job is then brought in step
   * with the stored task.
   */
  private async mutate(
    actor: Actor,
    number: number,
    from: 'live' | 'deleted',
    kind: TaskChangeKind,
    change: (task: TaskDocument) => Partial<Task>,
  ): Promise<TaskDocument> {
    const { teamId } = actor;
    const status = from === 'live' ? { $in: LIVE } : ('deleted' as const);
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.tasks.findOne({ teamId, number, status });
      if (!current) throw new TaskNotFoundError(number);
      if (!this.canChange(current, actor)) throw new TaskForbiddenError(number);
      const updated = await this.tasks.findOneAndUpdate(
        { _id: current._id, rev: current.rev },
        { $set: change(current), $inc: { rev: 1 } },
        { returnDocument: 'after', runValidators: true },
      );
      if (updated) {
        await this.reminders.sync(updated);
        await this.tell({ kind, task: updated, before: current, actor });
        return updated;
      }
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new TaskPilotError(ErrorCode.Unknown, `task ${teamId}#${number} kept changing under the write`);
      }
    }
  }
}
