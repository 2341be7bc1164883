import type { Task } from '../db/models/task';
import { occurrenceAfter } from './occurrences';

/**
 * The reminder state of a task, as pure functions over its fields, so every writer (commands,
 * buttons, the firing job) moves it the same way:
 * - `dueAt` is the next occurrence that has not fired (for a one-off: its due time, kept after
 *   it fires so lists can show it as overdue; `firedOccurrence` then equals it);
 * - `snoozedUntil` is one extra firing for one occurrence (a snoozed reminder); the series is
 *   untouched;
 * - `nextFireAt` is the earlier of the two, or null when nothing is pending.
 */
export type ReminderFields = Pick<
  Task,
  | 'status'
  | 'dueAt'
  | 'snoozedUntil'
  | 'recurrence'
  | 'nagMinutes'
  | 'firedOccurrence'
  | 'closedOccurrence'
  | 'nextFireAt'
  | 'missed'
>;

/** An occurrence this much past its time when it fires was missed (TaskPilot was down). */
export const MISSED_AFTER_MS = 60_000;

const same = (a: Date | null, b: Date | null): boolean => a !== null && b !== null && a.getTime() === b.getTime();

export function computeNextFire(task: Omit<ReminderFields, 'nextFireAt' | 'missed'>): Date | null {
  if (task.status !== 'open') return null;
  const candidates: Date[] = [];
  if (task.snoozedUntil) candidates.push(task.snoozedUntil);
  if (task.dueAt && !same(task.dueAt, task.firedOccurrence)) candidates.push(task.dueAt);
  if (candidates.length === 0) return null;
  return new Date(Math.min(...candidates.map((date) => date.getTime())));
}

const FIELDS = [
  'status',
  'dueAt',
  'snoozedUntil',
  'recurrence',
  'nagMinutes',
  'firedOccurrence',
  'closedOccurrence',
] as const;
type ScheduleFields = Omit<ReminderFields, 'nextFireAt' | 'missed'>;

/**
 * The task's schedule with a patch applied, read field by field: a mongoose document does not
 * spread into its fields.
 */
export function withPatch(task: ReminderFields, patch: Partial<ReminderFields>): ScheduleFields {
  const view: Record<string, unknown> = {};
  for (const field of FIELDS) view[field] = field in patch ? patch[field] : task[field];
  return view as ScheduleFields;
}

const withNextFire = <T extends Partial<ReminderFields>>(
  task: ReminderFields,
  patch: T,
): T & { nextFireAt: Date | null } => ({
  ...patch,
  nextFireAt: computeNextFire(withPatch(task, patch)),
});

export type FiringKind = 'occurrence' | 'snooze' | 'stale';

/** Which firing `at` is for: a snoozed reminder, the next occurrence, or neither any more. */
export function firingKind(task: ReminderFields, at: Date): FiringKind {
  if (same(task.snoozedUntil, at)) return 'snooze';
  if (same(task.dueAt, at) && !same(task.firedOccurrence, at)) return 'occurrence';
  return 'stale';
}

/**
 * After the reminder for `at` went out (or was skipped as missed) at `now`: a recurring task moves
 * to its first occurrence after now, so occurrences missed while TaskPilot was down are not
 * fired one by one; a nagging task fires again `nagMinutes` later.
 */
export function afterFiring(
  task: ReminderFields,
  at: Date,
  now: Date,
  missed: ReminderFields['missed'] = null,
): Partial<ReminderFields> {
  const kind = firingKind(task, at);
  if (kind === 'stale') return {};
  const patch: Partial<ReminderFields> = {};
  const from = new Date(Math.max(at.getTime(), now.getTime()));
  if (kind === 'snooze') {
    patch.snoozedUntil = null;
  } else {
    patch.firedOccurrence = at;
    if (task.recurrence) {
      const next = occurrenceAfter(task.recurrence, from);
      // A finished series keeps its last occurrence as the due time, marked as fired.
      if (next) patch.dueAt = next;
    }
  }
  if (task.nagMinutes) patch.snoozedUntil = new Date(from.getTime() + task.nagMinutes * 60_000);
  patch.missed = missed ?? (kind === 'occurrence' ? null : task.missed);
  return withNextFire(task, patch);
}

/**
 * A reminder's own buttons act on the firing they were posted for (`firedAt`, carried in their
 * values). The dispatcher posts a reminder before it records the firing, so a click can come
 * first (seconds, during a burst): while the task's next fire time is still that firing, it is
 * taken as recorded, as its record would write it. `fired` is that patch (empty otherwise: the
 * firing is recorded, or the message is older), `task` the schedule it leaves for the click to act
 * on. The record, when it comes, finds the task moved past the firing and leaves it.
 */
export function withFiringRecorded(
  task: ReminderFields,
  firedAt: Date | null,
  now: Date,
): { fired: Partial<ReminderFields>; task: ReminderFields } {
  if (task.status !== 'open' || !firedAt || !same(task.nextFireAt, firedAt)) return { fired: {}, task };
  // Recorded as the firing would have: with its own clock when it went out on time (a click a
  // minute later on a minutely series must not skip one more), else with the click's.
  const clock = now.getTime() - firedAt.getTime() < MISSED_AFTER_MS ? firedAt : now;
  const fired = afterFiring(task, firedAt, clock);
  return {
    fired,
    task: {
      ...withPatch(task, fired),
      nextFireAt: fired.nextFireAt === undefined ? task.nextFireAt : fired.nextFireAt,
      missed: fired.missed === undefined ? task.missed : fired.missed,
    },
  };
}

export interface DoneOutcome {
  patch: Partial<ReminderFields>;
  /** The occurrence this done closed (recurring tasks); null when the whole task is done. */
  closed: Date | null;
}

/**
 * Done on a one-off task (or `stop`) closes the task. On a recurring one it closes the current
 * occurrence only: a pending snooze, else the last reminder if it is still open, else the next
 * occurrence, which is then skipped. When that leaves nothing in the series, the task is done.
 */
export function afterDone(task: ReminderFields, from: 'reminder' | 'command' = 'command'): DoneOutcome {
  if (!task.recurrence) return { patch: withNextFire(task, { status: 'done' }), closed: null };
  if (task.snoozedUntil) {
    return {
      patch: withNextFire(task, { snoozedUntil: null, closedOccurrence: task.firedOccurrence }),
      closed: task.firedOccurrence ?? task.snoozedUntil,
    };
  }
  const openFired =
    task.firedOccurrence !== null &&
    (task.closedOccurrence === null || task.closedOccurrence < task.firedOccurrence) &&
    !same(task.firedOccurrence, task.dueAt);
  if (openFired && task.firedOccurrence) {
    return { patch: withNextFire(task, { closedOccurrence: task.firedOccurrence }), closed: task.firedOccurrence };
  }
  // Done on a reminder whose occurrence is already closed (a second assignee, a double click, an
  // old message) changes nothing: it must not skip the next occurrence.
  if (from === 'reminder') return { patch: {}, closed: task.closedOccurrence };
  const upcoming = task.dueAt && !same(task.dueAt, task.firedOccurrence) ? task.dueAt : null;
  if (!upcoming) return { patch: withNextFire(task, { status: 'done' }), closed: null };
  const next = occurrenceAfter(task.recurrence, upcoming);
  if (!next) return { patch: withNextFire(task, { status: 'done', closedOccurrence: upcoming }), closed: null };
  return { patch: withNextFire(task, { dueAt: next, closedOccurrence: upcoming }), closed: upcoming };
}

/**
 * Snoozing moves one occurrence. A reminder that already went out comes back at `until` (always
 * so from the reminder's own Snooze menu; from a command, while it is not done); otherwise the
 * next occurrence is moved to `until` and the series goes on after it.
 */
export function afterSnooze(
  task: ReminderFields,
  until: Date,
  from: 'reminder' | 'command' = 'command',
): Partial<ReminderFields> {
  if (!task.recurrence || from === 'reminder') {
    // A one-off snoozed before it fired: the snooze replaces its time, it does not add one.
    const unfired = !task.recurrence && task.dueAt !== null && !same(task.dueAt, task.firedOccurrence);
    return withNextFire(task, {
      snoozedUntil: until,
      status: 'open',
      ...(unfired ? { firedOccurrence: task.dueAt } : {}),
    });
  }
  const openFired =
    task.firedOccurrence !== null && (task.closedOccurrence === null || task.closedOccurrence < task.firedOccurrence);
  if (task.snoozedUntil || openFired) return withNextFire(task, { snoozedUntil: until, status: 'open' });
  const upcoming = task.dueAt;
  const next = upcoming ? occurrenceAfter(task.recurrence, upcoming) : null;
  return withNextFire(task, {
    snoozedUntil: until,
    status: 'open',
    ...(next ? { dueAt: next } : { firedOccurrence: upcoming }),
  });
}

/** A new time (edit): the schedule starts again from it. */
export function afterReschedule(
  task: ReminderFields,
  dueAt: Date | null,
  recurrence: ReminderFields['recurrence'],
): Partial<ReminderFields> {
  return withNextFire(task, {
    dueAt,
    recurrence,
    snoozedUntil: null,
    firedOccurrence: null,
    closedOccurrence: null,
    missed: null,
  });
}

/** Reopen or restore: pending reminders come back unless their time has passed. */
export function afterReopen(task: ReminderFields, now: Date): Partial<ReminderFields> {
  const patch: Partial<ReminderFields> = {
    status: 'open',
    snoozedUntil: task.snoozedUntil && task.snoozedUntil > now ? task.snoozedUntil : null,
  };
  if (task.dueAt && task.dueAt <= now && !same(task.dueAt, task.firedOccurrence)) {
    // An occurrence that passed while the task was closed is not fired late.
    const next = task.recurrence ? occurrenceAfter(task.recurrence, now) : null;
    if (next) patch.dueAt = next;
    else patch.firedOccurrence = task.dueAt;
  }
  // A nagging task reopened with nothing pending nags again one interval from now.
  if (task.nagMinutes && computeNextFire(withPatch(task, patch)) === null) {
    patch.snoozedUntil = new Date(now.getTime() + task.nagMinutes * 60_000);
  }
  return withNextFire(task, patch);
}
