import type { ReminderFields } from '../../../src/reminders/task-state';
import {
  afterDone,
  afterFiring,
  afterReopen,
  afterSnooze,
  computeNextFire,
  firingKind,
  withFiringRecorded,
} from '../../../src/reminders/task-state';

const BERLIN_TZ = 'Europe/Berlin';
const DAILY_9_BERLIN = { rrule: 'DTSTART;TZID=Europe/Berlin:20270111T090000\nRRULE:FREQ=DAILY', tz: 'Europe/Berlin' };
const d = (iso: string) => new Date(iso);

function task(overrides: Partial<ReminderFields> = {}): ReminderFields {
  return {
    status: 'open',
    dueAt: d('2027-01-11T08:00:00Z'),
    snoozedUntil: null,
    recurrence: null,
    nagMinutes: null,
    firedOccurrence: null,
    closedOccurrence: null,
    nextFireAt: d('2027-01-11T08:00:00Z'),
    missed: null,
    ...overrides,
  };
}

describe('reminder state of a task', () => {
  it('next fire is the earlier of a snooze and the unfired occurrence, and nothing once closed', () => {
    expect(computeNextFire(task())).toEqual(d('2027-01-11T08:00:00Z'));
    expect(computeNextFire(task({ snoozedUntil: d('2027-01-11T07:30:00Z') }))).toEqual(d('2027-01-11T07:30:00Z'));
    expect(computeNextFire(task({ firedOccurrence: d('2027-01-11T08:00:00Z') }))).toBeNull();
    expect(computeNextFire(task({ status: 'done' }))).toBeNull();
    expect(computeNextFire(task({ dueAt: null }))).toBeNull();
  });

  it('tells a snooze firing from an occurrence and from a stale job', () => {
    expect(firingKind(task(), d('2027-01-11T08:00:00Z'))).toBe('occurrence');
    expect(firingKind(task({ snoozedUntil: d('2027-01-11T09:00:00Z') }), d('2027-01-11T09:00:00Z'))).toBe('snooze');
    expect(firingKind(task(), d('2027-01-11T07:00:00Z'))).toBe('stale');
  });

  it('a fired one-off keeps its due time and has nothing pending; a recurring one moves on', () => {
    const at = d('2027-01-11T08:00:00Z');
    expect(afterFiring(task(), at, at)).toMatchObject({ firedOccurrence: at, nextFireAt: null });
    expect(afterFiring(task({ recurrence: DAILY_9_BERLIN }), at, at)).toMatchObject({
      firedOccurrence: at,
      dueAt: d('2027-01-12T08:00:00Z'),
      nextFireAt: d('2027-01-12T08:00:00Z'),
    });
  });

  it('after missed occurrences a recurring task moves to the first one after now, not the next missed one', () => {
    const at = d('2027-01-11T08:00:00Z');
    const patch = afterFiring(task({ recurrence: DAILY_9_BERLIN }), at, d('2027-01-14T12:00:00Z'));
    expect(patch.nextFireAt).toEqual(d('2027-01-15T08:00:00Z'));
  });

  it('nags again nagMinutes after the reminder', () => {
    const at = d('2027-01-11T08:00:00Z');
    expect(afterFiring(task({ nagMinutes: 60 }), at, at).nextFireAt).toEqual(d('2027-01-11T09:00:00Z'));
  });

  it('done closes a one-off task, and one occurrence of a recurring one', () => {
    expect(afterDone(task()).patch).toMatchObject({ status: 'done', nextFireAt: null });
    const fired = task({
      recurrence: DAILY_9_BERLIN,
      firedOccurrence: d('2027-01-11T08:00:00Z'),
      dueAt: d('2027-01-12T08:00:00Z'),
    });
    expect(afterDone(fired)).toEqual({
      patch: { closedOccurrence: d('2027-01-11T08:00:00Z'), nextFireAt: d('2027-01-12T08:00:00Z') },
      closed: d('2027-01-11T08:00:00Z'),
    });
    const upcoming = task({ recurrence: DAILY_9_BERLIN });
    expect(afterDone(upcoming)).toMatchObject({
      patch: { dueAt: d('2027-01-12T08:00:00Z') },
      closed: d('2027-01-11T08:00:00Z'),
    });
  });

  it('snooze before an occurrence moves only that occurrence; from a reminder it brings the reminder back', () => {
    const recurring = task({ recurrence: DAILY_9_BERLIN });
    expect(afterSnooze(recurring, d('2027-01-11T10:00:00Z'))).toMatchObject({
      snoozedUntil: d('2027-01-11T10:00:00Z'),
      dueAt: d('2027-01-12T08:00:00Z'),
      nextFireAt: d('2027-01-11T10:00:00Z'),
    });
    const fromReminder = afterSnooze(recurring, d('2027-01-11T10:00:00Z'), 'reminder');
    expect(fromReminder).toMatchObject({
      snoozedUntil: d('2027-01-11T10:00:00Z'),
      nextFireAt: d('2027-01-11T08:00:00Z'),
    });
    expect(fromReminder).not.toHaveProperty('dueAt');
  });

  it('reopening after the due time passed does not fire the old occurrence late', () => {
    const closed = task({ status: 'done' });
    expect(afterReopen(closed, d('2027-01-11T09:00:00Z'))).toMatchObject({ status: 'open', nextFireAt: null });
    expect(afterReopen(task({ status: 'done', recurrence: DAILY_9_BERLIN }), d('2027-01-11T09:00:00Z'))).toMatchObject({
      dueAt: d('2027-01-12T08:00:00Z'),
      nextFireAt: d('2027-01-12T08:00:00Z'),
    });
  });

  it('Done on a reminder whose occurrence is already closed does not skip the next one', () => {
    const closed = task({
      recurrence: DAILY_9_BERLIN,
      firedOccurrence: d('2027-01-11T08:00:00Z'),
      closedOccurrence: d('2027-01-11T08:00:00Z'),
      dueAt: d('2027-01-12T08:00:00Z'),
      nextFireAt: d('2027-01-12T08:00:00Z'),
    });
    expect(afterDone(closed, 'reminder').patch).toEqual({});
    // From a command, a second done skips the next occurrence on purpose.
    expect(afterDone(closed, 'command').patch).toMatchObject({ dueAt: d('2027-01-13T08:00:00Z') });
  });

  it('snoozing a one-off before it fires replaces its time instead of adding one', () => {
    expect(afterSnooze(task(), d('2027-01-12T08:00:00Z'))).toMatchObject({
      snoozedUntil: d('2027-01-12T08:00:00Z'),
      firedOccurrence: d('2027-01-11T08:00:00Z'),
      nextFireAt: d('2027-01-12T08:00:00Z'),
    });
  });

  it('reopening a nagging task with nothing pending nags again one interval from now', () => {
    const nagging = task({ status: 'done', nagMinutes: 60, firedOccurrence: d('2027-01-11T08:00:00Z') });
    expect(afterReopen(nagging, d('2027-01-11T12:00:00Z')).nextFireAt).toEqual(d('2027-01-11T13:00:00Z'));
  });

  it('a reminder clicked before its firing is recorded acts on the occurrence it announced', () => {
    // 09:00 Berlin went out at 08:00Z and the previous day's occurrence was closed; the record
    // has not landed yet when Done is clicked at 08:00:02Z.
    const posted = task({
      recurrence: DAILY_9_BERLIN,
      firedOccurrence: d('2027-01-10T08:00:00Z'),
      closedOccurrence: d('2027-01-10T08:00:00Z'),
    });
    const clickedAt = d('2027-01-11T08:00:02Z');
    // Without the firing, a reminder's Done finds nothing open and would change nothing.
    expect(afterDone(posted, 'reminder').patch).toEqual({});
    const { fired, task: view } = withFiringRecorded(posted, d('2027-01-11T08:00:00Z'), clickedAt);
    expect(fired).toMatchObject({ firedOccurrence: d('2027-01-11T08:00:00Z'), dueAt: d('2027-01-12T08:00:00Z') });
    expect(afterDone(view, 'reminder')).toEqual({
      patch: { closedOccurrence: d('2027-01-11T08:00:00Z'), nextFireAt: d('2027-01-12T08:00:00Z') },
      closed: d('2027-01-11T08:00:00Z'),
    });
    // Snooze brings that reminder back and leaves the series on its next occurrence.
    expect(afterSnooze(view, d('2027-01-11T09:00:00Z'), 'reminder')).toMatchObject({
      snoozedUntil: d('2027-01-11T09:00:00Z'),
      nextFireAt: d('2027-01-11T09:00:00Z'),
    });
    expect(view.dueAt).toEqual(d('2027-01-12T08:00:00Z'));
  });

  it('a click before the record takes the firing with its own clock when it went out on time', () => {
    const every30s = {
      rrule: 'DTSTART;TZID=Europe/Berlin:20270111T090000\nRRULE:FREQ=SECONDLY;INTERVAL=30',
      tz: BERLIN_TZ,
    };
    const posted = task({ recurrence: every30s });
    // Clicked 40 s after 09:00:00 went out: the record would have moved it to 09:00:30, not past it.
    expect(withFiringRecorded(posted, d('2027-01-11T08:00:00Z'), d('2027-01-11T08:00:40Z')).fired.dueAt).toEqual(
      d('2027-01-11T08:00:30Z'),
    );
    // A firing more than a minute old (a late one, or a slow click): the click's clock, as a late record's.
    expect(withFiringRecorded(posted, d('2027-01-11T08:00:00Z'), d('2027-01-11T08:01:40Z')).fired.dueAt).toEqual(
      d('2027-01-11T08:02:00Z'),
    );
  });

  it('a click on an older reminder, or on one posted before buttons named their firing, takes nothing as fired', () => {
    // Today's 09:00 is due but not posted yet (a backlog, TaskPilot down): yesterday's Done must not use it up.
    const due = task({ recurrence: DAILY_9_BERLIN, firedOccurrence: d('2027-01-10T08:00:00Z') });
    const now = d('2027-01-11T08:00:05Z');
    expect(withFiringRecorded(due, d('2027-01-10T08:00:00Z'), now)).toEqual({ fired: {}, task: due });
    expect(withFiringRecorded(due, null, now)).toEqual({ fired: {}, task: due });
    expect(withFiringRecorded(task({ status: 'done' }), d('2027-01-11T08:00:00Z'), now).fired).toEqual({});
  });
});
