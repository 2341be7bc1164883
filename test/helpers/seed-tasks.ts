// Stored tasks that look like a real workspace's: many people and channels, a mix of one-off,
// recurring and undated tasks. `seedTask` gives the input TaskService.create takes (the
// benchmark seeds through the service); `insertSeedTasks` stores many at once with the fields and
// numbers the service would give them (for tests that need thousands quickly). No jest here:
// the benchmark imports it too.
import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { counterModel, taskModel } from '../../src/db/models/task';
import { parseWithFallbackParser } from '../../src/parse';
import { Scheduler } from '../../src/scheduler/scheduler';
import { type NewTask, newTaskFields } from '../../src/tasks/task-service';

const ONE_OFF = [
  'call the supplier in 3 days at 3pm',
  'send the invoice in 4 days at 10am',
  'review the draft in 5 days at 11am',
  'book the venue in 6 days at 2pm',
];
const RECURRING = [
  'water the plants every Monday at 9am',
  'send the status report every Friday at 4pm',
  'pay rent every month on the 1st',
  'sync with Dana every other Monday at 10am',
];
const UNDATED = ['tidy the shared drive', 'update the onboarding doc', 'order new chairs'];

export interface SeedShape {
  teamId: string;
  /** People U0SEED0000…; creators cycle through them. */
  people: number;
  /** Channels C0SEED000…; every fifth task lives in one. */
  channels: number;
  tz: string;
  /**
   * The instant the phrases are read at: days ahead of the clock of the test or benchmark, so no
   * seeded reminder comes due while it runs (its firing would be measured as theirs).
   */
  parseAt: Date;
}

export const seedPerson = (index: number): string => `U0SEED${String(index).padStart(4, '0')}`;
export const seedChannel = (index: number): string => `C0SEED${String(index).padStart(3, '0')}`;

/** The `index`th seeded task: about half one-off, a fifth recurring, the rest without a time. */
export function seedTask(index: number, shape: SeedShape): NewTask {
  const creatorId = seedPerson(index % shape.people);
  const kind = index % 10;
  const text =
    kind < 5
      ? (ONE_OFF[index % ONE_OFF.length] as string)
      : kind < 7
        ? (RECURRING[index % RECURRING.length] as string)
        : (UNDATED[index % UNDATED.length] as string);
  const parsed = parseWithFallbackParser(text, { now: shape.parseAt, tz: shape.tz });
  // Every third task is for someone else; every fifth lives in a channel.
  const assignees = index % 3 === 0 ? [seedPerson((index * 7 + 1) % shape.people)] : [];
  const channelId = index % 5 === 0 ? seedChannel(index % shape.channels) : null;
  return {
    teamId: shape.teamId,
    creatorId,
    title: `${parsed.title ?? text} (${index})`,
    assignees,
    channelId,
    dueAt: parsed.dueAt ? new Date(parsed.dueAt) : null,
    tz: shape.tz,
    recurrence: parsed.recurrence,
    source: { kind: 'command', channelId: channelId ?? 'C0GENERAL' },
  };
}

/**
 * Stores tasks as TaskService.create would (numbers from the workspace's counter, the same
 * fields and defaults, each reminder's Agenda job), in a few bulk writes instead of one create
 * each. `jobTemplate` is a job Agenda saved for a real create: its fields are copied, so the
 * seeded jobs look like Agenda's own.
 */
export async function insertSeedTasks(
  connection: Connection,
  inputs: readonly NewTask[],
  options: { jobTemplate: Record<string, unknown>; backstopMs: number; batch?: number },
): Promise<void> {
  const byTeam = new Map<string, NewTask[]>();
  for (const input of inputs) byTeam.set(input.teamId, [...(byTeam.get(input.teamId) ?? []), input]);
  const db = connection.db as Db;
  const tasks = taskModel(connection);
  const batch = options.batch ?? 500;
  for (const [teamId, list] of byTeam) {
    const counter = await counterModel(connection).findOneAndUpdate(
      { _id: `task:${teamId}` },
      { $inc: { seq: list.length } },
      { upsert: true, returnDocument: 'after' },
    );
    const first = (counter?.seq ?? list.length) - list.length + 1;
    for (let start = 0; start < list.length; start += batch) {
      const docs = list
        .slice(start, start + batch)
        .map((input, offset) => ({ ...newTaskFields(input), number: first + start + offset }));
      const stored = await tasks.insertMany(docs);
      const jobs = stored.flatMap((task) => {
        if (!task.nextFireAt) return [];
        return [
          {
            ...options.jobTemplate,
            _id: task._id,
            data: { taskId: String(task._id), teamId },
            nextRunAt: new Date(task.nextFireAt.getTime() + options.backstopMs),
          },
        ];
      });
      if (jobs.length > 0) await db.collection(Scheduler.COLLECTION).insertMany(jobs);
    }
  }
}
