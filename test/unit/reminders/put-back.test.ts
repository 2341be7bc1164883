import type { Task } from '../../../src/db/models/task';
import { putBackFields } from '../../../src/reminders/advance-by-id';
import { afterFiring, afterSnooze, type ReminderFields } from '../../../src/reminders/task-state';

const d = (iso: string) => new Date(iso);
const AT = d('2027-01-11T08:00:00Z');

/** A one-off task due at 08:00, as far as its schedule and title go. */
const oneOff = (overrides: Partial<Task> = {}): Task =>
  ({
    title: 'call the bank',
    status: 'open',
    dueAt: AT,
    snoozedUntil: null,
    recurrence: null,
    nagMinutes: null,
    firedOccurrence: null,
    closedOccurrence: null,
    nextFireAt: AT,
    missed: null,
    rev: 3,
    ...overrides,
  }) as Task;

describe('putting back what a stale firing overwrote', () => {
  // The firing read the task at rev 3, posted, and wrote its patch by _id; meanwhile the reminder's
  // Snooze had moved it to 09:00 (rev 4). The firing's write made rev 5.
  const read = oneOff();
  const patch = afterFiring(read, AT, d('2027-01-11T08:00:00.100Z'));
  const snoozed: Task = { ...read, ...afterSnooze(read, d('2027-01-11T09:00:00Z'), 'reminder'), rev: 4 } as Task;
  const overwritten: Task = { ...snoozed, ...patch, rev: 5 } as Task;

  it('restores the snooze when nothing else wrote', () => {
    expect(overwritten.nextFireAt).toBeNull();
    const fields = putBackFields(overwritten, patch, snoozed);
    expect({ ...overwritten, ...fields }).toMatchObject({
      snoozedUntil: d('2027-01-11T09:00:00Z'),
      nextFireAt: d('2027-01-11T09:00:00Z'),
    });
  });

  it('restores the snooze under a rename that landed before the put-back', () => {
    const renamed: Task = { ...overwritten, title: 'call the bank today', rev: 6 } as Task;
    const restored = { ...renamed, ...putBackFields(renamed, patch, snoozed) };
    expect(restored).toMatchObject({ title: 'call the bank today', nextFireAt: d('2027-01-11T09:00:00Z') });
  });

  it('keeps what a later write set, and computes the next fire time from it', () => {
    // Moved to 15:00 before the put-back: the move stands, and 15:00 is the next fire time.
    const moved: Task = {
      ...overwritten,
      dueAt: d('2027-01-11T14:00:00Z'),
      firedOccurrence: null,
      snoozedUntil: null,
      nextFireAt: d('2027-01-11T14:00:00Z'),
      rev: 6,
    } as Task;
    const fields: Partial<ReminderFields> = putBackFields(moved, patch, snoozed);
    expect(fields).not.toHaveProperty('firedOccurrence');
    expect({ ...moved, ...fields }).toMatchObject({
      dueAt: d('2027-01-11T14:00:00Z'),
      nextFireAt: d('2027-01-11T14:00:00Z'),
    });
    // Closed before the put-back: nothing fires.
    const closed: Task = { ...overwritten, status: 'done', rev: 6 } as Task;
    expect(putBackFields(closed, patch, snoozed).nextFireAt).toBeNull();
  });
});
