import { isDeepStrictEqual } from 'node:util';
import type { Model } from 'mongoose';
import type { Task, TaskDocument } from '../db/models/task';
import type { Logger } from '../logger';
import { afterFiring, type ReminderFields } from './task-state';

/** The task was written by someone else between its read and the firing's write. */
export const CHANGED = Symbol('changed');

/** The task's next fire time once `patch` is applied. */
export const nextAfter = (task: Task, patch: Partial<ReminderFields>): Date | null =>
  patch.nextFireAt === undefined ? task.nextFireAt : patch.nextFireAt;

/**
 * Writes a firing onto the task as it was read, by `_id` alone: the one filter FerretDB serves
 * without decoding every task (a `rev` condition costs each reminder a pass over the whole
 * collection). The document as it was before the write tells whether another write came in
 * between. If that write leaves this one unchanged (a rename, say), nothing more is needed.
 * Otherwise what this one overwrote is put back and CHANGED tells the caller to decide with a
 * rev-guarded write, so the other change stands. Until then (milliseconds) readers see the
 * overwritten fields: a rare race, a write landing between the caller's read and this write.
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
  const overwritten = Object.fromEntries(
    Object.keys(patch).map((field) => [field, before[field as keyof typeof patch] ?? null]),
  );
  const restored = await tasks.updateOne(
    { _id: task._id, rev: before.rev + 1 },
    { $set: overwritten, $inc: { rev: 1 } },
  );
  if (restored.modifiedCount !== 1) {
    logger.error(
      { taskId: String(task._id), at, overwritten },
      'an edit made while a reminder was recorded could not be put back: the task may show the reminder’s schedule',
    );
  }
  return CHANGED;
}
