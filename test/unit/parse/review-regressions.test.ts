import { DateTime } from 'luxon';
import { parseWithFallbackParser } from '../../../src/parse';

// Cases a review found wrong; now Wednesday 2026-03-04 10:30 in Berlin.
const TZ = 'Europe/Berlin';
const NOW = DateTime.fromISO('2026-03-04T10:30', { zone: TZ }).toJSDate();
const parse = (text: string) => parseWithFallbackParser(text, { now: NOW, tz: TZ });
const local = (iso: string | null) => (iso ? DateTime.fromISO(iso).setZone(TZ).toFormat("yyyy-MM-dd'T'HH:mm") : null);

describe('deterministic parser: review regressions', () => {
  it.each([
    ['review in 1.5 hours', 'review', '2026-03-04T12:00'],
    ['stretch for 5 minutes at 3pm', 'stretch for 5 minutes', '2026-03-04T15:00'],
    ['block focus time for 2 hours tomorrow', 'block focus time for 2 hours', '2026-03-05T09:00'],
    ['call mom tonight at 7', 'call mom', '2026-03-04T19:00'],
    ['call mom tonight at 19:00', 'call mom', '2026-03-04T19:00'],
    ['meet at 3 in the afternoon', 'meet', '2026-03-04T15:00'],
    ['lunch @ 12', 'lunch', '2026-03-04T12:00'],
    ['remind me tomorrow', null, '2026-03-05T09:00'],
    ['remind me in an hour', null, '2026-03-04T11:30'],
  ])('%s', (text, title, due) => {
    const result = parse(text);
    expect(result.title).toBe(title);
    expect(local(result.dueAt)).toBe(due);
  });

  it('takes a clock time over the part of day a rule names', () => {
    expect(parse('report every morning at 7').occurrences.map(local)).toEqual([
      '2026-03-05T07:00',
      '2026-03-06T07:00',
      '2026-03-07T07:00',
    ]);
    expect(local(parse('walk every evening at 7').dueAt)).toBe('2026-03-04T19:00');
  });

  it('reads the same delay units in snooze as elsewhere', () => {
    expect(parse('snooze 42 2 wks')).toMatchObject({ intent: 'snooze_task', taskRef: 42 });
    expect(local(parse('snooze 42 2 wks').dueAt)).toBe('2026-03-18T10:30');
  });

  it('refuses a repeat of zero', () => {
    expect(() => parse('every 0 days water')).toThrow(/at least one/);
    expect(() => parse('walk every day 0 times')).toThrow(/at least one/);
  });

  it('reads a yearless end date as the next time it comes round, and refuses an end before the start', () => {
    expect(parse('walk every day until 1/15').recurrence?.rrule).toContain('UNTIL=20270115T225959Z');
    expect(() => parse('walk every day until 3/4')).toThrow(/ends before it would first run/);
  });
});
