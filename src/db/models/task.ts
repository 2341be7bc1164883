import { type Connection, type HydratedDocument, type Model, Schema } from 'mongoose';
import { type AgentSpec, AgentSpecSchema } from './agent-run';

export const TASK_STATUSES = ['open', 'done', 'deleted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_SOURCES = ['command', 'mention', 'dm', 'shortcut', 'modal'] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];

export const MAX_TITLE_LENGTH = 500;
export const MAX_NOTES_LENGTH = 3000;

/**
 * What happens to an occurrence that came due while no worker was running: `late` posts it once,
 * marked as missed (the default); `skip` only records it. Never a burst either way.
 */
export const MISSED_POLICIES = ['late', 'skip'] as const;
export type MissedPolicy = (typeof MISSED_POLICIES)[number];

export interface Task {
  teamId: string;
  /** Short number per workspace ("#42"), from an atomic counter. */
  number: number;
  title: string;
  /** Free text from the New / Edit task form (or the message a task was made from). */
  notes: string | null;
  creatorId: string;
  assignees: string[];
  /** Where the task lives: reminders and notices go here when set. */
  channelId: string | null;
  status: TaskStatus;
  /** The next fire time (UTC). */
  dueAt: Date | null;
  /** The creator's zone when the task was made: wall-clock times are kept in it. */
  tz: string;
  recurrence: { rrule: string; tz: string } | null;
  /** One occurrence moved by a snooze; the series stays as it is. */
  snoozedUntil: Date | null;
  /**
   * When the next reminder fires: the earlier of a pending snooze and the next unfired occurrence;
   * null when nothing is pending. Kept by the task and reminder services on every write.
   */
  nextFireAt: Date | null;
  /** The occurrence that fired last, and the last one closed with done (recurring tasks). */
  firedOccurrence: Date | null;
  closedOccurrence: Date | null;
  /** "Remind me every hour until done": after each reminder, fire again this much later. */
  nagMinutes: number | null;
  missedPolicy: MissedPolicy;
  /** The last occurrence that came due while TaskPilot was down, for lists and the home tab. */
  missed: { at: Date; count: number; postedLate: boolean } | null;
  /**
   * Optimistic concurrency: every write bumps it, and every change a person makes is conditional
   * on the revision it read. A reminder's advance writes by `_id` and checks the revision it
   * replaced instead (see ReminderService).
   */
  rev: number;
  source: { kind: TaskSource; channelId: string | null; threadTs: string | null; permalink: string | null };
  /** A scheduled agent run: each occurrence starts a run instead of posting a reminder. */
  agent: AgentSpec | null;
  completedAt: Date | null;
  completedBy: string | null;
  deletedAt: Date | null;
  deletedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}
export type TaskDocument = HydratedDocument<Task>;

const TaskSchema = new Schema<Task>(
  {
    teamId: { type: String, required: true },
    number: { type: Number, required: true },
    title: { type: String, required: true, maxlength: MAX_TITLE_LENGTH },
    notes: { type: String, default: null, maxlength: MAX_NOTES_LENGTH },
    creatorId: { type: String, required: true },
    assignees: { type: [String], default: [] },
    channelId: { type: String, default: null },
    status: { type: String, enum: TASK_STATUSES, default: 'open' },
    dueAt: { type: Date, default: null },
    tz: { type: String, required: true },
    recurrence: {
      type: new Schema(
        { rrule: { type: String, required: true }, tz: { type: String, required: true } },
        { _id: false },
      ),
      default: null,
    },
    snoozedUntil: { type: Date, default: null },
    nextFireAt: { type: Date, default: null },
    firedOccurrence: { type: Date, default: null },
    closedOccurrence: { type: Date, default: null },
    nagMinutes: { type: Number, default: null, min: 5, max: 7 * 24 * 60 },
    missedPolicy: { type: String, enum: MISSED_POLICIES, default: 'late' },
    missed: {
      type: new Schema(
        {
          at: { type: Date, required: true },
          count: { type: Number, required: true },
          postedLate: { type: Boolean, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    rev: { type: Number, default: 0 },
    source: {
      type: new Schema(
        {
          kind: { type: String, enum: TASK_SOURCES, required: true },
          channelId: { type: String, default: null },
          threadTs: { type: String, default: null },
          permalink: { type: String, default: null },
        },
        { _id: false },
      ),
      required: true,
    },
    agent: { type: AgentSpecSchema, default: null },
    completedAt: { type: Date, default: null },
    completedBy: { type: String, default: null },
    deletedAt: { type: Date, default: null },
    deletedBy: { type: String, default: null },
  },
  // Field names are ours; user text only ever lands in values, never in keys or operators.
  { timestamps: true, collection: 'tasks', strict: 'throw', minimize: false },
);

// One index per listener query (see TaskService): by number; mine (assigned / created);
// assigned by me; a channel's; the whole workspace's — each in due order.
TaskSchema.index({ teamId: 1, number: 1 }, { unique: true });
TaskSchema.index({ teamId: 1, assignees: 1, status: 1, dueAt: 1 });
TaskSchema.index({ teamId: 1, creatorId: 1, status: 1, dueAt: 1 });
TaskSchema.index({ teamId: 1, channelId: 1, status: 1, dueAt: 1 });
TaskSchema.index({ teamId: 1, status: 1, dueAt: 1 });
// The reminder reconciler: open tasks with a reminder coming up, across workspaces.
TaskSchema.index({ status: 1, nextFireAt: 1 });

interface Counter {
  _id: string;
  seq: number;
}
const CounterSchema = new Schema<Counter>(
  { _id: String, seq: { type: Number, required: true } },
  { collection: 'counters' },
);

export function taskModel(connection: Connection): Model<Task> {
  return (connection.models.Task as Model<Task> | undefined) ?? connection.model<Task>('Task', TaskSchema);
}

export function counterModel(connection: Connection): Model<Counter> {
  return (
    (connection.models.Counter as Model<Counter> | undefined) ?? connection.model<Counter>('Counter', CounterSchema)
  );
}
