import { parseWithFallbackParser } from '../../../src/parse';
import {
  checkFields,
  fieldsOfTask,
  readTaskForm,
  readTaskFormMeta,
  repeatOfRule,
  resolveSchedule,
  scheduleChanged,
} from '../../../src/tasks/task-form';
import { FormBlocks, FormInputs } from '../../../views/ids';
import { EMPTY_FORM, type TaskFormFields } from '../../../views/task-form';

const NOW = new Date('2026-03-04T09:30:00Z'); // Wednesday 10:30 in Berlin
const TZ = 'Europe/Berlin';
const context = {
  tz: TZ,
  now: NOW,
  parse: async (text: string) => parseWithFallbackParser(text, { now: NOW, tz: TZ }),
};
const fields = (overrides: Partial<TaskFormFields>): TaskFormFields => ({
  ...EMPTY_FORM,
  title: 'Send the report',
  ...overrides,
});
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('resolveSchedule', () => {
  it('no date, time or repeat: a to-do without a reminder', async () => {
    expect(await resolveSchedule(fields({}), context)).toEqual({
      schedule: { dueAt: null, recurrence: null, occurrences: [] },
    });
  });

  it('a date and time in the person’s zone', async () => {
    const result = await resolveSchedule(fields({ date: '2026-03-06', time: '14:00' }), context);
    expect('schedule' in result && result.schedule.dueAt?.toISOString()).toBe('2026-03-06T13:00:00.000Z');
  });

  it('a date alone is 09:00; a time alone is today, or tomorrow once it has passed', async () => {
    const dateOnly = await resolveSchedule(fields({ date: '2026-03-06' }), context);
    expect('schedule' in dateOnly && dateOnly.schedule.dueAt?.toISOString()).toBe('2026-03-06T08:00:00.000Z');
    const later = await resolveSchedule(fields({ time: '17:00' }), context);
    expect('schedule' in later && later.schedule.dueAt?.toISOString()).toBe('2026-03-04T16:00:00.000Z');
    const passed = await resolveSchedule(fields({ time: '08:00' }), context);
    expect('schedule' in passed && passed.schedule.dueAt?.toISOString()).toBe('2026-03-05T07:00:00.000Z');
  });

  it('refuses a time that has passed, on the input that caused it', async () => {
    expect(await resolveSchedule(fields({ date: '2026-03-04', time: '10:00' }), context)).toEqual({
      errors: { [FormBlocks.date]: 'That time has already passed. Pick a time in the future.' },
    });
  });

  it('weekly repeats on the chosen date’s weekday, with the next three runs, across the DST change', async () => {
    const result = await resolveSchedule(fields({ date: '2026-03-20', time: '09:00', repeat: 'weekly' }), context);
    if (!('schedule' in result)) throw new Error('expected a schedule');
    expect(result.schedule.recurrence?.rrule).toBe(
      'DTSTART;TZID=Europe/Berlin:20260320T090000\nRRULE:FREQ=WEEKLY;BYDAY=FR',
    );
    // 29 March: Berlin moves to summer time; 09:00 stays 09:00.
    expect(iso(result.schedule.occurrences)).toEqual([
      '2026-03-20T08:00:00.000Z',
      '2026-03-27T08:00:00.000Z',
      '2026-04-03T07:00:00.000Z',
    ]);
  });

  it('weekdays starting on a Saturday first run on Monday; monthly keeps the day; a past start runs from now', async () => {
    const weekdays = await resolveSchedule(fields({ date: '2026-03-07', time: '08:30', repeat: 'weekdays' }), context);
    expect('schedule' in weekdays && weekdays.schedule.dueAt?.toISOString()).toBe('2026-03-09T07:30:00.000Z');
    const monthly = await resolveSchedule(fields({ date: '2026-03-31', repeat: 'monthly' }), context);
    if (!('schedule' in monthly)) throw new Error('expected a schedule');
    // Months without a 31st are skipped, as the rule says.
    expect(iso(monthly.schedule.occurrences)).toEqual([
      '2026-03-31T07:00:00.000Z',
      '2026-05-31T07:00:00.000Z',
      '2026-07-31T07:00:00.000Z',
    ]);
    const daily = await resolveSchedule(fields({ date: '2026-03-01', time: '09:00', repeat: 'daily' }), context);
    expect('schedule' in daily && daily.schedule.dueAt?.toISOString()).toBe('2026-03-05T08:00:00.000Z');
  });

  it('a custom repeat goes through the parser, taking the time picker’s time when it names none', async () => {
    const result = await resolveSchedule(
      fields({ repeat: 'custom', customRepeat: 'every other Tuesday', time: '10:00' }),
      context,
    );
    if (!('schedule' in result)) throw new Error('expected a schedule');
    expect(result.schedule.recurrence?.rrule).toContain('INTERVAL=2');
    expect(iso(result.schedule.occurrences)[0]).toBe('2026-03-10T09:00:00.000Z');
  });

  it('a custom repeat that is empty or not a repeat is an error on its own input', async () => {
    const blank = await resolveSchedule(fields({ repeat: 'custom' }), context);
    expect(blank).toEqual({ errors: { [FormBlocks.customRepeat]: expect.stringMatching(/Describe the repeat/) } });
    const unclear = await resolveSchedule(fields({ repeat: 'custom', customRepeat: 'whenever' }), context);
    expect(unclear).toEqual({ errors: { [FormBlocks.customRepeat]: expect.stringMatching(/couldn't find a repeat/) } });
  });
});

describe('reading and checking the form', () => {
  it('reads Slack’s view state and treats anything malformed as empty', () => {
    const read = readTaskForm({
      [FormBlocks.title]: { [FormInputs.title]: { type: 'plain_text_input', value: 'Call Mom' } },
      [FormBlocks.assignees]: { [FormInputs.assignees]: { selected_users: ['U0BEN', '$where', 'W0CAL'] } },
      [FormBlocks.channel]: { [FormInputs.channel]: { selected_conversation: '{"$gt":""}' } },
      [FormBlocks.date]: { [FormInputs.date]: { selected_date: '2026-13-45; DROP' } },
      [FormBlocks.time]: { [FormInputs.time]: { selected_time: 1030 } },
      [FormBlocks.repeat]: { [FormInputs.repeat]: { selected_option: { value: 'hourly' } } },
    });
    expect(read).toEqual({
      title: 'Call Mom',
      notes: '',
      assignees: ['U0BEN', 'W0CAL'],
      channelId: null,
      date: null,
      time: null,
      repeat: 'none',
      customRepeat: '',
    });
  });

  it('requires a title and bounds titles and notes', () => {
    expect(checkFields(fields({ title: '  \n ' }))).toEqual({ [FormBlocks.title]: expect.any(String) });
    expect(checkFields(fields({ title: 'x'.repeat(501) }))).toEqual({ [FormBlocks.title]: expect.any(String) });
    expect(checkFields(fields({ notes: 'x'.repeat(3001) }))).toEqual({ [FormBlocks.notes]: expect.any(String) });
    expect(checkFields(fields({}))).toEqual({});
  });

  it('refuses form metadata it did not write', () => {
    expect(() => readTaskFormMeta('not json')).toThrow(/out of date/);
    expect(() => readTaskFormMeta('{"mode":"delete","number":1}')).toThrow(/out of date/);
    expect(readTaskFormMeta('{"mode":"edit","number":4}')).toEqual({ mode: 'edit', number: 4 });
  });

  it('opens an edit on the task’s next run and recognises the menu’s rules', () => {
    const task = {
      title: 'Stand-up notes',
      notes: null,
      assignees: ['U0BEN'],
      channelId: null,
      dueAt: new Date('2026-03-02T08:00:00Z'),
      nextFireAt: new Date('2026-03-05T08:00:00Z'),
      recurrence: {
        rrule: 'DTSTART;TZID=Europe/Berlin:20260302T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
        tz: TZ,
      },
    };
    expect(fieldsOfTask(task, TZ)).toMatchObject({ date: '2026-03-05', time: '09:00', repeat: 'weekdays', notes: '' });
    expect(repeatOfRule('DTSTART;TZID=UTC:20260302T090000\nRRULE:FREQ=DAILY')).toBe('daily');
    expect(repeatOfRule('DTSTART;TZID=UTC:20260302T090000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=2')).toBe('monthly');
    expect(repeatOfRule('DTSTART;TZID=UTC:20260302T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU')).toBe('custom');
  });

  it('an edit that leaves the schedule as it opened does not reschedule', () => {
    const original = { date: '2026-03-05', time: '09:00', repeat: 'weekdays' as const, customRepeat: '' };
    const meta = { mode: 'edit' as const, number: 1, original };
    expect(scheduleChanged(fields({ ...original, title: 'new title' }), meta)).toBe(false);
    expect(scheduleChanged(fields({ ...original, time: '10:00' }), meta)).toBe(true);
    expect(scheduleChanged(fields({ ...original, repeat: 'daily' }), meta)).toBe(true);
  });
});
