import { isDeepStrictEqual } from 'node:util';
import type { Model } from 'mongoose';
import type { Task, TaskDocument } from '../db/models/task';
import type { Logger } from '../logger';
import { afterFiring, computeNextFire, type ReminderFields, withPatch } from './task-state';

/** The task was written by someone else between its read and the firing's write. */
export const CHANGED = Symbol('changed');

/** The task's next fire time once `patch` is applied. */
export const nextAfter = (task: Task, patch: Partial<ReminderFields>): Date | null =>
  patch.nextFireAt === undefined ? task.nextFireAt : patch.nextFireAt;

const PUT_BACK_ATTEMPTS = 5;

/**
 * What to write to undo a firing's patch on a task another write had changed (`before`, as the
 * firing's write found it), now that the store holds `current`: each field the firing wrote goes
 * back to its value in `before`, unless a later write has changed it since (that value stands);
 * the next fire time is then computed from what results, so it agrees with every field.
 */
export function putBackFields(current: Task, patch: Partial<ReminderFields>, before: Task): Partial<ReminderFields> {
  const fields: Record<string, unknown> = {};
  for (const field of Object.keys(patch) as (keyof ReminderFields)[]) {
    const stillOurs = isDeepStrictEqual(current[field] ?? null, patch[field] ?? null);
    if (stillOurs) fields[field] = before[field] ?? null;
  }
  const merged = fields as Partial<ReminderFields>;
  return { ...merged, nextFireAt: computeNextFire(withPatch(current, merged)) };
}

/**
 * Writes a firing onto the task as it was read, by `_id` alone: the one filter FerretDB serves
 * without decoding every task (a `rev` condition costs each reminder a pass over the whole
 * collection). The document as it was before the write tells whether another write came in
 * between. If that write leaves this one unchanged (a rename, say), nothing more is needed.
 * Otherwise what this one overwrote is put back and CHANGED tells the caller to decide with a
 * rev-guarded write, so the other change stands. Until then (milliseconds) readers see the
 * overwritten fields: a rare race, a write landing between the caller's read and this write.
 * A further write landing before the put-back keeps its own values (see putBackFields).
 */
export async function advanceById(
  tasks: Model<Task>,
  task: TaskDocument,
  firing: { at: Date; missed: ReminderFields['missed']; now: Date },
  logger: Logger,
): Promise<Date | null | typeof CHANGED> {
  const { at, missed, now } = firing;
  const patch = afterFiring(task, at, now, missed);
  const before = await tasks
    .findOneAndUpdate({ _id: task._id }, { $set: patch, $inc: { rev: 1 } }, { returnDocument: 'before' })
    .lean<Task>();
  if (!before) return null;
  if (before.rev === task.rev) return nextAfter(task, patch);
  const stillDue = before.status === 'open' && before.nextFireAt?.getTime() === at.getTime();
  if (stillDue && isDeepStrictEqual(afterFiring(before, at, now, missed), patch)) return nextAfter(before, patch);
  // What the store holds right after this write; read again whenever the put-back finds a newer write.
  let current: Task | null = { ...before, ...patch, rev: before.rev + 1 } as Task;
  for (let attempt = 0; current && attempt < PUT_BACK_ATTEMPTS; attempt += 1) {
    const restored = await tasks.updateOne(
      { _id: task._id, rev: current.rev },
      { $set: putBackFields(current, patch, before), $inc: { rev: 1 } },
    );
    if (restored.modifiedCount === 1) return CHANGED;
    current = await tasks.findById(task._id).lean<Task>();
  }
  if (current) {
    logger.error(
      { taskId: String(task._id), at, patch },
      'a change made while a reminder was recorded could not be put back: the task may show the reminder’s schedule',
    );
  }
  return CHANGED;
}
