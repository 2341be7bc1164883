import { DateTime, Settings } from 'luxon';
import {
  countOccurrencesBetween,
  occurrenceAfter,
  occurrencesAfter,
  type StoredRecurrence,
} from '../../../src/reminders/occurrences';

// 2027 changes. New York: EST (UTC-5) → EDT (UTC-4) on Sun 14 Mar at 07:00Z (02:00 local);
// EDT → EST on Sun 7 Nov at 06:00Z (02:00 EDT), so 01:00–01:59 happens twice (05:xxZ then 06:xxZ).
// Berlin: CET (UTC+1) → CEST (UTC+2) on Sun 28 Mar at 01:00Z (02:00 local); CEST → CET on
// Sun 31 Oct at 01:00Z (03:00 CEST), so 02:00–02:59 happens twice (00:xxZ then 01:xxZ).
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';

const rec = (zone: string, start: string, rule: string): StoredRecurrence => ({
  rrule: `DTSTART;TZID=${zone}:${start}\nRRULE:${rule}`,
  tz: zone,
});

/** An unambiguous wall-clock time in `zone` ('2027-03-14 09:00'), as an ISO UTC string, via luxon. */
function wall(zone: string, text: string): string {
  const [y, mo, d, h, mi] = text.split(/[- :]/).map(Number);
  const result = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi }, { zone });
  if (!result.isValid) throw new Error(`bad wall time ${text}`);
  return result.toUTC().toISO() ?? '';
}

/** A literal UTC instant, normalised to Date#toISOString form. */
const utc = (text: string): string => new Date(text).toISOString();
const iso = (date: Date | null): string | null => date?.toISOString() ?? null;
const isos = (dates: Date[]): string[] => dates.map((date) => date.toISOString());
const localOf = (instant: string, zone: string): string =>
  DateTime.fromISO(instant, { zone }).toFormat("yyyy-MM-dd HH:mm 'UTC'ZZ");

describe('daily 09:00 keeps its wall-clock time across each change', () => {
  test.each([
    // NY spring forward: 09:00 EST = 14:00Z before, 09:00 EDT = 13:00Z from the 14th.
    [NY, '20270301T090000', '2027-03-12 12:00', ['2027-03-13 09:00', '2027-03-14 09:00', '2027-03-15 09:00']],
    [NY, '20270301T090000', '2027-03-14 08:00', ['2027-03-14 09:00', '2027-03-15 09:00', '2027-03-16 09:00']],
    // NY fall back: 09:00 EDT = 13:00Z before, 09:00 EST = 14:00Z from the 7th.
    [NY, '20271101T090000', '2027-11-05 12:00', ['2027-11-06 09:00', '2027-11-07 09:00', '2027-11-08 09:00']],
    [NY, '20271101T090000', '2027-11-07 08:00', ['2027-11-07 09:00', '2027-11-08 09:00', '2027-11-09 09:00']],
    // Berlin spring forward: 09:00 CET = 08:00Z, 09:00 CEST = 07:00Z.
    [BERLIN, '20270301T090000', '2027-03-26 12:00', ['2027-03-27 09:00', '2027-03-28 09:00', '2027-03-29 09:00']],
    [BERLIN, '20270301T090000', '2027-03-28 08:00', ['2027-03-28 09:00', '2027-03-29 09:00', '2027-03-30 09:00']],
    // Berlin fall back.
    [BERLIN, '20271001T090000', '2027-10-29 12:00', ['2027-10-30 09:00', '2027-10-31 09:00', '2027-11-01 09:00']],
    [BERLIN, '20271001T090000', '2027-10-31 08:00', ['2027-10-31 09:00', '2027-11-01 09:00', '2027-11-02 09:00']],
  ])('%s from %s, after %s local', (zone, start, after, expected) => {
    const recurrence = rec(zone, start, 'FREQ=DAILY');
    const afterInstant = new Date(wall(zone, after));
    const wanted = expected.map((text) => wall(zone, text));
    expect(iso(occurrenceAfter(recurrence, afterInstant))).toBe(wanted[0]);
    expect(isos(occurrencesAfter(recurrence, afterInstant, 3))).toEqual(wanted);
  });

  test('literal spot checks of the luxon-derived expectations', () => {
    expect(wall(NY, '2027-03-13 09:00')).toBe(utc('2027-03-13T14:00:00Z'));
    expect(wall(NY, '2027-03-14 09:00')).toBe(utc('2027-03-14T13:00:00Z'));
    expect(wall(NY, '2027-11-07 09:00')).toBe(utc('2027-11-07T14:00:00Z'));
    expect(wall(BERLIN, '2027-03-28 09:00')).toBe(utc('2027-03-28T07:00:00Z'));
    expect(wall(BERLIN, '2027-10-31 09:00')).toBe(utc('2027-10-31T08:00:00Z'));
  });

  test('is strictly after `after`: an occurrence instant itself is skipped', () => {
    const ny = rec(NY, '20270301T090000', 'FREQ=DAILY');
    expect(iso(occurrenceAfter(ny, new Date(utc('2027-03-14T13:00:00Z'))))).toBe(utc('2027-03-15T13:00:00Z'));
    expect(iso(occurrenceAfter(ny, new Date(utc('2027-03-14T12:59:59.999Z'))))).toBe(utc('2027-03-14T13:00:00Z'));
    const berlin = rec(BERLIN, '20271001T090000', 'FREQ=DAILY');
    expect(iso(occurrenceAfter(berlin, new Date(utc('2027-10-31T08:00:00Z'))))).toBe(utc('2027-11-01T08:00:00Z'));
  });
});

describe('weekly rules on the changeover weekday', () => {
  test.each([
    [NY, '20270228T090000', 'SU', '2027-03-01 00:00', ['2027-03-07 09:00', '2027-03-14 09:00', '2027-03-21 09:00']],
    [NY, '20271003T090000', 'SU', '2027-10-25 00:00', ['2027-10-31 09:00', '2027-11-07 09:00', '2027-11-14 09:00']],
    [NY, '20270301T090000', 'MO', '2027-03-05 00:00', ['2027-03-08 09:00', '2027-03-15 09:00', '2027-03-22 09:00']],
    [NY, '20271004T090000', 'MO', '2027-11-02 00:00', ['2027-11-08 09:00', '2027-11-15 09:00', '2027-11-22 09:00']],
    [BERLIN, '20270307T090000', 'SU', '2027-03-15 00:00', ['2027-03-21 09:00', '2027-03-28 09:00', '2027-04-04 09:00']],
    [BERLIN, '20271003T090000', 'SU', '2027-10-18 00:00', ['2027-10-24 09:00', '2027-10-31 09:00', '2027-11-07 09:00']],
    [BERLIN, '20271004T090000', 'MO', '2027-10-26 00:00', ['2027-11-01 09:00', '2027-11-08 09:00', '2027-11-15 09:00']],
  ])('%s from %s BYDAY=%s after %s local', (zone, start, day, after, expected) => {
    const recurrence = rec(zone, start, `FREQ=WEEKLY;BYDAY=${day}`);
    expect(isos(occurrencesAfter(recurrence, new Date(wall(zone, after)), 3))).toEqual(
      expected.map((text) => wall(zone, text)),
    );
  });

  test('a weekly Sunday 02:30 (NY) lands at 03:30 EDT on the spring-forward Sunday', () => {
    const recurrence = rec(NY, '20270228T023000', 'FREQ=WEEKLY;BYDAY=SU');
    const found = isos(occurrencesAfter(recurrence, new Date(utc('2027-03-08T00:00:00Z')), 2));
    // 03:30 EDT = 07:30Z; the following Sunday 02:30 EDT = 06:30Z.
    expect(found).toEqual([utc('2027-03-14T07:30:00Z'), utc('2027-03-21T06:30:00Z')]);
    expect(localOf(found[0] ?? '', NY)).toBe('2027-03-14 03:30 UTC-04:00');
  });
});

describe('monthly rules whose occurrences straddle a change', () => {
  test.each([
    [
      NY,
      '20270110T090000',
      'BYMONTHDAY=10',
      '2027-02-01',
      ['2027-02-10 09:00', '2027-03-10 09:00', '2027-04-10 09:00'],
    ],
    [
      NY,
      '20270110T090000',
      'BYMONTHDAY=10',
      '2027-10-01',
      ['2027-10-10 09:00', '2027-11-10 09:00', '2027-12-10 09:00'],
    ],
    [NY, '20270110T090000', 'BYDAY=2SU', '2027-02-01', ['2027-02-14 09:00', '2027-03-14 09:00', '2027-04-11 09:00']],
    [NY, '20270103T090000', 'BYDAY=1SU', '2027-09-15', ['2027-10-03 09:00', '2027-11-07 09:00', '2027-12-05 09:00']],
    [
      BERLIN,
      '20270110T090000',
      'BYMONTHDAY=10',
      '2027-02-01',
      ['2027-02-10 09:00', '2027-03-10 09:00', '2027-04-10 09:00'],
    ],
    [
      BERLIN,
      '20270110T090000',
      'BYMONTHDAY=10',
      '2027-10-01',
      ['2027-10-10 09:00', '2027-11-10 09:00', '2027-12-10 09:00'],
    ],
    [
      BERLIN,
      '20270131T090000',
      'BYDAY=-1SU',
      '2027-02-01',
      ['2027-02-28 09:00', '2027-03-28 09:00', '2027-04-25 09:00'],
    ],
    [
      BERLIN,
      '20270131T090000',
      'BYDAY=-1SU',
      '2027-09-01',
      ['2027-09-26 09:00', '2027-10-31 09:00', '2027-11-28 09:00'],
    ],
  ])('%s from %s %s after %s', (zone, start, by, after, expected) => {
    const recurrence = rec(zone, start, `FREQ=MONTHLY;${by}`);
    expect(isos(occurrencesAfter(recurrence, new Date(wall(zone, `${after} 00:00`)), 3))).toEqual(
      expected.map((text) => wall(zone, text)),
    );
  });

  test.each([
    // 2nd Sunday of March 2027 is the NY change day: 02:30 → 03:30 EDT (07:30Z); April 11 02:30 EDT = 06:30Z.
    [NY, 'BYDAY=2SU', '2027-03-01T00:00:00Z', ['2027-03-14T07:30:00Z', '2027-04-11T06:30:00Z']],
    // Last Sunday of March 2027 is the Berlin change day: 02:30 → 03:30 CEST (01:30Z); April 25 02:30 CEST = 00:30Z.
    [BERLIN, 'BYDAY=-1SU', '2027-03-01T00:00:00Z', ['2027-03-28T01:30:00Z', '2027-04-25T00:30:00Z']],
  ])('monthly 02:30 %s %s lands after the gap on the change day', (zone, by, after, expected) => {
    const recurrence = rec(zone, '20270103T023000', `FREQ=MONTHLY;${by}`);
    expect(isos(occurrencesAfter(recurrence, new Date(after), 2))).toEqual(expected.map(utc));
  });
});

describe('a time inside the spring-forward gap moves to the first valid time after it', () => {
  test.each([
    // NY 02:30 daily: 13th 02:30 EST = 07:30Z; 14th 02:30 does not exist → 03:30 EDT = 07:30Z; 15th 02:30 EDT = 06:30Z.
    [NY, '2027-03-12T12:00:00Z', ['2027-03-13T07:30:00Z', '2027-03-14T07:30:00Z', '2027-03-15T06:30:00Z']],
    [NY, '2027-03-14T06:59:59Z', ['2027-03-14T07:30:00Z', '2027-03-15T06:30:00Z', '2027-03-16T06:30:00Z']],
    [NY, '2027-03-14T07:00:00Z', ['2027-03-14T07:30:00Z', '2027-03-15T06:30:00Z', '2027-03-16T06:30:00Z']],
    [NY, '2027-03-14T07:29:00Z', ['2027-03-14T07:30:00Z', '2027-03-15T06:30:00Z', '2027-03-16T06:30:00Z']],
    [NY, '2027-03-14T07:30:00Z', ['2027-03-15T06:30:00Z', '2027-03-16T06:30:00Z', '2027-03-17T06:30:00Z']],
    // Berlin 02:30 daily: 27th 02:30 CET = 01:30Z; 28th → 03:30 CEST = 01:30Z; 29th 02:30 CEST = 00:30Z.
    [BERLIN, '2027-03-26T12:00:00Z', ['2027-03-27T01:30:00Z', '2027-03-28T01:30:00Z', '2027-03-29T00:30:00Z']],
    [BERLIN, '2027-03-28T01:00:00Z', ['2027-03-28T01:30:00Z', '2027-03-29T00:30:00Z', '2027-03-30T00:30:00Z']],
    [BERLIN, '2027-03-28T01:30:00Z', ['2027-03-29T00:30:00Z', '2027-03-30T00:30:00Z', '2027-03-31T00:30:00Z']],
  ])('%s 02:30 daily after %s', (zone, after, expected) => {
    const recurrence = rec(zone, '20270310T023000', 'FREQ=DAILY');
    expect(iso(occurrenceAfter(recurrence, new Date(after)))).toBe(utc(expected[0] ?? ''));
    expect(isos(occurrencesAfter(recurrence, new Date(after), 3))).toEqual(expected.map(utc));
  });

  test('the shifted instants read 03:30 local in summer time, and luxon agrees', () => {
    expect(localOf('2027-03-14T07:30:00Z', NY)).toBe('2027-03-14 03:30 UTC-04:00');
    expect(localOf('2027-03-28T01:30:00Z', BERLIN)).toBe('2027-03-28 03:30 UTC+02:00');
    expect(wall(NY, '2027-03-14 02:30')).toBe(utc('2027-03-14T07:30:00Z'));
    expect(wall(BERLIN, '2027-03-28 02:30')).toBe(utc('2027-03-28T01:30:00Z'));
  });
});

// Which of two identical wall-clock times luxon's DateTime.fromObject picks depends on the zone's
// offset at the *current* clock (Settings.now), so these cases run with the clock pinned both in
// winter and in summer: the contract (first occurrence) must hold either way. The expectations
// are literal instants, not luxon computations, for that reason.
describe.each([
  ['winter', Date.UTC(2027, 0, 15, 12)],
  ['summer', Date.UTC(2027, 6, 15, 12)],
])('a repeated time on a fall-back day fires once, at its first occurrence (clock in %s)', (_season, now) => {
  const realNow = Settings.now;
  beforeEach(() => {
    Settings.now = () => now;
  });
  afterEach(() => {
    Settings.now = realNow;
  });

  // NY 01:30 daily: 6th 01:30 EDT = 05:30Z; 7th first 01:30 (EDT) = 05:30Z, second (EST) = 06:30Z;
  // 8th 01:30 EST = 06:30Z.
  const ny = rec(NY, '20271101T013000', 'FREQ=DAILY');
  // Berlin 02:30 daily: 30th 02:30 CEST = 00:30Z; 31st first 02:30 (CEST) = 00:30Z, second (CET) = 01:30Z;
  // 1 Nov 02:30 CET = 01:30Z.
  const berlin = rec(BERLIN, '20271025T023000', 'FREQ=DAILY');

  test('the literal expectations are what they claim', () => {
    expect(localOf('2027-11-07T05:30:00Z', NY)).toBe('2027-11-07 01:30 UTC-04:00');
    expect(localOf('2027-11-07T06:30:00Z', NY)).toBe('2027-11-07 01:30 UTC-05:00');
    expect(localOf('2027-10-31T00:30:00Z', BERLIN)).toBe('2027-10-31 02:30 UTC+02:00');
    expect(localOf('2027-10-31T01:30:00Z', BERLIN)).toBe('2027-10-31 02:30 UTC+01:00');
  });

  test.each([
    [NY, '2027-11-06T12:00:00Z', ny, ['2027-11-07T05:30:00Z', '2027-11-08T06:30:00Z', '2027-11-09T06:30:00Z']],
    [NY, '2027-11-07T05:00:00Z', ny, ['2027-11-07T05:30:00Z', '2027-11-08T06:30:00Z', '2027-11-09T06:30:00Z']],
    [BERLIN, '2027-10-30T12:00:00Z', berlin, ['2027-10-31T00:30:00Z', '2027-11-01T01:30:00Z', '2027-11-02T01:30:00Z']],
    [BERLIN, '2027-10-31T00:00:00Z', berlin, ['2027-10-31T00:30:00Z', '2027-11-01T01:30:00Z', '2027-11-02T01:30:00Z']],
  ])(
    '%s: next three after %s have no duplicates and start with the first instant',
    (zone, after, recurrence, expected) => {
      const found = isos(occurrencesAfter(recurrence, new Date(after), 3));
      expect(found).toEqual(expected.map(utc));
      expect(new Set(found).size).toBe(3);
      const localDays = found.map((instant) => DateTime.fromISO(instant, { zone }).toISODate());
      expect(new Set(localDays).size).toBe(3);
    },
  );

  test.each([
    // At the first occurrence, between the two, and at the second: the day is done, next is tomorrow.
    ['2027-11-07T05:30:00Z', ny, '2027-11-08T06:30:00Z'],
    ['2027-11-07T06:00:00Z', ny, '2027-11-08T06:30:00Z'],
    ['2027-11-07T06:30:00Z', ny, '2027-11-08T06:30:00Z'],
    ['2027-10-31T00:30:00Z', berlin, '2027-11-01T01:30:00Z'],
    ['2027-10-31T01:00:00Z', berlin, '2027-11-01T01:30:00Z'],
    ['2027-10-31T01:30:00Z', berlin, '2027-11-01T01:30:00Z'],
  ])('after %s it does not fire again at the second 01:30/02:30', (after, recurrence, expected) => {
    expect(iso(occurrenceAfter(recurrence, new Date(after)))).toBe(utc(expected));
  });

  test('a weekly Sunday 01:30 (NY) fires at the first 01:30 on the fall-back Sunday', () => {
    const weekly = rec(NY, '20271003T013000', 'FREQ=WEEKLY;BYDAY=SU');
    expect(isos(occurrencesAfter(weekly, new Date(utc('2027-11-01T00:00:00Z')), 2))).toEqual([
      utc('2027-11-07T05:30:00Z'),
      utc('2027-11-14T06:30:00Z'),
    ]);
  });

  test('countOccurrencesBetween counts the repeated time once', () => {
    // (6 Nov 00:00Z, 9 Nov 00:00Z]: 6th 05:30Z, 7th 05:30Z, 8th 06:30Z.
    expect(
      countOccurrencesBetween(ny, new Date(utc('2027-11-06T00:00:00Z')), new Date(utc('2027-11-09T00:00:00Z'))),
    ).toBe(3);
    // (30 Oct 00:00Z, 2 Nov 00:00Z]: 30th 00:30Z, 31st 00:30Z, 1 Nov 01:30Z.
    expect(
      countOccurrencesBetween(berlin, new Date(utc('2027-10-30T00:00:00Z')), new Date(utc('2027-11-02T00:00:00Z'))),
    ).toBe(3);
  });

  test('UNTIL inside the repeated hour still includes the first occurrence before it', () => {
    // UNTIL 06:00Z = 01:00 EST, after the first 01:30 (05:30Z) and before the second (06:30Z).
    const until = rec(NY, '20271101T013000', 'FREQ=DAILY;UNTIL=20271107T060000Z');
    expect(isos(occurrencesAfter(until, new Date(utc('2027-11-05T12:00:00Z')), 5))).toEqual([
      utc('2027-11-06T05:30:00Z'),
      utc('2027-11-07T05:30:00Z'),
    ]);
    // UNTIL 01:00Z = 02:00 CET, after the first 02:30 (00:30Z) and before the second (01:30Z).
    const untilBerlin = rec(BERLIN, '20271025T023000', 'FREQ=DAILY;UNTIL=20271031T010000Z');
    expect(isos(occurrencesAfter(untilBerlin, new Date(utc('2027-10-29T12:00:00Z')), 5))).toEqual([
      utc('2027-10-30T00:30:00Z'),
      utc('2027-10-31T00:30:00Z'),
    ]);
  });
});

describe('UNTIL and COUNT end a series across a change', () => {
  const MAR = '20270301T090000';
  const OCT = '20271001T090000';
  test.each([
    // UNTIL = 14 Mar 23:59:59 EDT. Last occurrence 14 Mar 09:00 EDT = 13:00Z.
    [
      NY,
      MAR,
      'FREQ=DAILY;UNTIL=20270315T035959Z',
      '2027-03-13T00:00:00Z',
      ['2027-03-13T14:00:00Z', '2027-03-14T13:00:00Z'],
    ],
    // UNTIL 22:59:59Z = 18:59:59 EDT on 20 Mar: that day's 09:00 EDT (13:00Z) is included.
    [
      NY,
      MAR,
      'FREQ=DAILY;UNTIL=20270320T225959Z',
      '2027-03-18T14:00:00Z',
      ['2027-03-19T13:00:00Z', '2027-03-20T13:00:00Z'],
    ],
    // UNTIL exactly at an occurrence instant is inclusive.
    [
      NY,
      MAR,
      'FREQ=DAILY;UNTIL=20270314T130000Z',
      '2027-03-13T00:00:00Z',
      ['2027-03-13T14:00:00Z', '2027-03-14T13:00:00Z'],
    ],
    // NY fall: UNTIL = 7 Nov 23:59:59 EST = 8 Nov 04:59:59Z.
    [
      NY,
      OCT,
      'FREQ=DAILY;UNTIL=20271108T045959Z',
      '2027-11-06T00:00:00Z',
      ['2027-11-06T13:00:00Z', '2027-11-07T14:00:00Z'],
    ],
    // Berlin spring: UNTIL = 28 Mar 23:59:59 CEST = 21:59:59Z.
    [
      BERLIN,
      MAR,
      'FREQ=DAILY;UNTIL=20270328T215959Z',
      '2027-03-26T12:00:00Z',
      ['2027-03-27T08:00:00Z', '2027-03-28T07:00:00Z'],
    ],
    // Berlin fall: UNTIL = 31 Oct 23:59:59 CET = 22:59:59Z.
    [
      BERLIN,
      OCT,
      'FREQ=DAILY;UNTIL=20271031T225959Z',
      '2027-10-29T12:00:00Z',
      ['2027-10-30T07:00:00Z', '2027-10-31T08:00:00Z'],
    ],
    // COUNT=5 from 12 Mar (NY): 12th, 13th EST; 14th, 15th, 16th EDT.
    [
      NY,
      '20270312T090000',
      'FREQ=DAILY;COUNT=5',
      '2027-03-01T00:00:00Z',
      [
        '2027-03-12T14:00:00Z',
        '2027-03-13T14:00:00Z',
        '2027-03-14T13:00:00Z',
        '2027-03-15T13:00:00Z',
        '2027-03-16T13:00:00Z',
      ],
    ],
    // COUNT=3 weekly Sundays from 17 Oct (Berlin): 17th, 24th CEST; 31st CET.
    [
      BERLIN,
      '20271017T090000',
      'FREQ=WEEKLY;BYDAY=SU;COUNT=3',
      '2027-10-01T00:00:00Z',
      ['2027-10-17T07:00:00Z', '2027-10-24T07:00:00Z', '2027-10-31T08:00:00Z'],
    ],
    // COUNT=4 monthly on the 10th (NY) from 10 Jan: Feb and Mar EST, Apr EDT, then done.
    [
      NY,
      '20270110T090000',
      'FREQ=MONTHLY;BYMONTHDAY=10;COUNT=4',
      '2027-02-01T00:00:00Z',
      ['2027-02-10T14:00:00Z', '2027-03-10T14:00:00Z', '2027-04-10T13:00:00Z'],
    ],
  ])('%s %s %s after %s', (zone, start, rule, after, expected) => {
    const recurrence = rec(zone, start, rule);
    expect(isos(occurrencesAfter(recurrence, new Date(after), 10))).toEqual(expected.map(utc));
    const last = expected[expected.length - 1] ?? '';
    expect(occurrenceAfter(recurrence, new Date(last))).toBeNull();
    expect(occurrenceAfter(recurrence, new Date(utc('2028-01-01T00:00:00Z')))).toBeNull();
  });

  test('UNTIL before a gap-shifted occurrence excludes it', () => {
    // UNTIL 07:15Z = 03:15 EDT on 14 Mar; that day's 02:30 is shifted to 03:30 EDT (07:30Z), after UNTIL.
    const recurrence = rec(NY, '20270310T023000', 'FREQ=DAILY;UNTIL=20270314T071500Z');
    expect(iso(occurrenceAfter(recurrence, new Date(utc('2027-03-12T12:00:00Z'))))).toBe(utc('2027-03-13T07:30:00Z'));
    expect(occurrenceAfter(recurrence, new Date(utc('2027-03-13T07:30:00Z')))).toBeNull();
  });
});

describe('countOccurrencesBetween across a change', () => {
  const nyDaily = rec(NY, '20270301T090000', 'FREQ=DAILY');
  const berlinDaily = rec(BERLIN, '20270301T090000', 'FREQ=DAILY');
  test.each([
    // 10th..19th at 09:00 local: 10 occurrences, the change in the middle.
    ['NY 10 days over spring forward', nyDaily, '2027-03-10T00:00:00Z', '2027-03-20T00:00:00Z', 10],
    // 24 hours that hold two 09:00s only because the day was 23 hours long: 13th 14:00Z and 14th 13:00Z.
    ['NY 24h that contain two 09:00s', nyDaily, '2027-03-13T13:30:00Z', '2027-03-14T13:30:00Z', 2],
    // (from, to]: an occurrence at `from` is excluded, one at `to` included.
    ['NY half-open interval', nyDaily, '2027-03-13T14:00:00Z', '2027-03-15T13:00:00Z', 2],
    // NY fall: (6th 12:00Z, 8th 12:00Z] holds 6th 13:00Z (EDT) and 7th 14:00Z (EST); 8th is 14:00Z.
    [
      'NY fall back, 25-hour day',
      rec(NY, '20271101T090000', 'FREQ=DAILY'),
      '2027-11-06T12:00:00Z',
      '2027-11-08T12:00:00Z',
      2,
    ],
    // 24 hours that hold no 09:00 because the day was 25 hours long: 6th 13:00Z is before, 7th 14:00Z after.
    [
      'NY 24h around fall back',
      rec(NY, '20271101T090000', 'FREQ=DAILY'),
      '2027-11-06T13:30:00Z',
      '2027-11-07T13:30:00Z',
      0,
    ],
    ['Berlin spring forward', berlinDaily, '2027-03-25T00:00:00Z', '2027-03-31T00:00:00Z', 6],
    [
      'Berlin fall back, half-open',
      rec(BERLIN, '20271001T090000', 'FREQ=DAILY'),
      '2027-10-30T07:00:00Z',
      '2027-11-01T08:00:00Z',
      2,
    ],
    ['NY gap 02:30', rec(NY, '20270310T023000', 'FREQ=DAILY'), '2027-03-13T00:00:00Z', '2027-03-16T00:00:00Z', 3],
    [
      'NY weekly Sunday',
      rec(NY, '20270228T090000', 'FREQ=WEEKLY;BYDAY=SU'),
      '2027-03-01T00:00:00Z',
      '2027-03-31T00:00:00Z',
      4,
    ],
    [
      'NY monthly 10th',
      rec(NY, '20270110T090000', 'FREQ=MONTHLY;BYMONTHDAY=10'),
      '2027-01-01T00:00:00Z',
      '2027-12-31T00:00:00Z',
      12,
    ],
    [
      'NY COUNT stops the count',
      rec(NY, '20270312T090000', 'FREQ=DAILY;COUNT=5'),
      '2027-03-01T00:00:00Z',
      '2027-04-01T00:00:00Z',
      5,
    ],
    [
      'Berlin UNTIL stops the count',
      rec(BERLIN, '20271001T090000', 'FREQ=DAILY;UNTIL=20271031T225959Z'),
      '2027-10-29T12:00:00Z',
      '2027-12-01T00:00:00Z',
      2,
    ],
  ])('%s', (_name, recurrence, from, to, expected) => {
    expect(countOccurrencesBetween(recurrence, new Date(from), new Date(to))).toBe(expected);
  });
});
