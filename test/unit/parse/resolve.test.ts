import { DateTime } from 'luxon';
import { parseWithFallbackParser } from '../../../src/parse';

const parseAt = (text: string, now: string, tz: string) =>
  parseWithFallbackParser(text, { now: DateTime.fromISO(now, { zone: tz }).toJSDate(), tz });

describe('resolution in the requester’s zone', () => {
  it('stores UTC and keeps 09:00 local across New York’s spring-forward', () => {
    const result = parseAt('standup every day at 9am', '2026-03-07T10:00', 'America/New_York');
    // The switch is at 02:00 on the 8th, so 09:00 that day is already EDT (UTC-4).
    expect(result.occurrences).toEqual(['2026-03-08T13:00:00Z', '2026-03-09T13:00:00Z', '2026-03-10T13:00:00Z']);
    const before = parseAt('standup every day at 9am', '2026-03-06T10:00', 'America/New_York');
    expect(before.occurrences).toEqual(['2026-03-07T14:00:00Z', '2026-03-08T13:00:00Z', '2026-03-09T13:00:00Z']);
  });

  it('keeps 09:00 local across Berlin’s fall-back', () => {
    const result = parseAt('report every Monday at 9:00', '2026-10-20T12:00', 'Europe/Berlin');
    expect(result.occurrences).toEqual(['2026-10-26T08:00:00Z', '2026-11-02T08:00:00Z', '2026-11-09T08:00:00Z']);
    const summer = parseAt('report every Monday at 9:00', '2026-10-13T12:00', 'Europe/Berlin');
    expect(summer.occurrences[0]).toBe('2026-10-19T07:00:00Z');
  });

  it('counts "in 2 hours" as elapsed time across the gap', () => {
    const result = parseAt('check the oven in 2 hours', '2026-03-08T01:30', 'America/New_York');
    expect(result.dueAt).toBe('2026-03-08T08:30:00Z');
    expect(
      DateTime.fromISO(result.dueAt ?? '')
        .setZone('America/New_York')
        .toFormat('HH:mm'),
    ).toBe('04:30');
  });

  it('resolves half-hour and 45-minute zones', () => {
    expect(parseAt('call at 9', '2026-03-04T10:30', 'Asia/Kolkata').dueAt).toBe('2026-03-05T03:30:00Z');
    expect(parseAt('call at 9', '2026-03-04T10:30', 'Asia/Kathmandu').dueAt).toBe('2026-03-05T03:15:00Z');
  });

  it('writes the rule as iCalendar text with the zone, and the end as a UTC instant', () => {
    const result = parseAt('standup every weekday at 9am until 2026-04-30', '2026-03-04T10:30', 'Europe/Berlin');
    expect(result.recurrence).toEqual({
      rrule:
        'DTSTART;TZID=Europe/Berlin:20260305T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260430T215959Z',
      tz: 'Europe/Berlin',
    });
  });

  it('ends a counted series after its last occurrence', () => {
    const result = parseAt('walk every day at 8am 2 times', '2026-03-04T10:30', 'Europe/Berlin');
    expect(result.occurrences).toHaveLength(2);
  });

  it('refuses an unknown zone and an over-long request with a clear message', () => {
    expect(() => parseAt('x', '2026-03-04T10:30', 'Europe/Berlin').intent).not.toThrow();
    expect(() => parseWithFallbackParser('x', { now: new Date(), tz: 'Mars/Olympus' })).toThrow(
      /not a time zone I know/,
    );
    expect(() => parseWithFallbackParser('x'.repeat(2001), { now: new Date(), tz: 'UTC' })).toThrow(/up to 2000/);
  });
});
