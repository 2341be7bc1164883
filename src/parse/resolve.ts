import { DateTime } from 'luxon';
import { Frequency, RRule, type Weekday as RRuleWeekday } from 'rrule';
import { UserInputError } from '../errors';
import type { LocalDate, LocalTime, ParseResult, RecurrenceSpec, Understanding, Weekday, WhenSpec } from './types';

/**
 * Turns local wall-clock intentions into instants, in the requester's zone, with the conventions
 * of DESIGN.md. Recurrences are computed on "floating" wall-clock times (UTC used as a zone-less
 * calendar) and each occurrence is then placed in the zone, so 09:00 stays 09:00 across DST.
 */

export const DEFAULT_TIME: LocalTime = { hour: 9, minute: 0 };
const OCCURRENCES = 3;

const LUXON_WEEKDAY: Record<Weekday, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };
const RRULE_WEEKDAY: Record<Weekday, RRuleWeekday> = {
  MO: RRule.MO,
  TU: RRule.TU,
  WE: RRule.WE,
  TH: RRule.TH,
  FR: RRule.FR,
  SA: RRule.SA,
  SU: RRule.SU,
};
const FREQUENCY: Record<RecurrenceSpec['freq'], Frequency> = {
  DAILY: Frequency.DAILY,
  WEEKLY: Frequency.WEEKLY,
  MONTHLY: Frequency.MONTHLY,
  YEARLY: Frequency.YEARLY,
};

/** A wall-clock moment in `zone`; hour 24 means 00:00 of the next day. */
function at(day: DateTime, time: LocalTime): DateTime {
  const base = day.startOf('day');
  return time.hour === 24 ? base.plus({ days: 1 }) : base.set({ hour: time.hour, minute: time.minute });
}

/** The next date (after `now`) whose month/day match, taking the year when one is given. */
function nextCalendarDate(now: DateTime, date: LocalDate, time: LocalTime): DateTime | null {
  const zone = now.zone;
  if (date.year !== null && date.month !== null && date.day !== null) {
    const day = DateTime.fromObject({ year: date.year, month: date.month, day: date.day }, { zone });
    return day.isValid ? at(day, time) : null;
  }
  if (date.month !== null && date.day !== null) {
    for (let year = now.year; year <= now.year + 8; year += 1) {
      const day = DateTime.fromObject({ year, month: date.month, day: date.day }, { zone });
      if (day.isValid && at(day, time) > now) return at(day, time);
    }
    return null;
  }
  if (date.day !== null) {
    // "the 15th": the next month that has that day, from this one on.
    for (let offset = 0; offset <= 12; offset += 1) {
      const month = now.startOf('month').plus({ months: offset });
      if (date.day > (month.daysInMonth ?? 0)) continue;
      const day = month.set({ day: date.day });
      if (at(day, time) > now) return at(day, time);
    }
  }
  return null;
}

function oneOff(now: DateTime, when: WhenSpec): DateTime | null {
  if (when.inMinutes !== null) return now.plus({ minutes: when.inMinutes });
  if (when.inDays !== null) {
    const day = now.plus({ days: when.inDays });
    return when.time ? at(day, when.time) : day;
  }
  const time = when.time ?? DEFAULT_TIME;
  if (when.dayOffset !== null) return at(now.plus({ days: when.dayOffset }), time);
  if (when.weekday !== null) {
    const ahead = (LUXON_WEEKDAY[when.weekday] - now.weekday + 7) % 7 || 7;
    return at(now.plus({ days: ahead }), time);
  }
  if (when.date !== null) return nextCalendarDate(now, when.date, time);
  if (when.time !== null) {
    const today = at(now, when.time);
    return today > now ? today : at(now.plus({ days: 1 }), when.time);
  }
  return null;
}

/** Wall-clock fields as a zone-less Date (UTC), the form rrule computes in. */
function floating(local: DateTime): Date {
  return new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, 0));
}

function fromFloating(date: Date, zone: string): DateTime {
  return DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    },
    { zone },
  );
}

/** The rule's parts other than its start, interval and end. */
function ruleParts(spec: RecurrenceSpec) {
  const byweekday = spec.byWeekday?.map((day) =>
    spec.bySetPos !== null && spec.byWeekday?.length === 1 ? RRULE_WEEKDAY[day].nth(spec.bySetPos) : RRULE_WEEKDAY[day],
  );
  return {
    freq: FREQUENCY[spec.freq],
    byweekday: byweekday ?? null,
    bymonthday: spec.byMonthDay,
    bymonth: spec.byMonth,
  };
}

export interface ResolvedRecurrence {
  rule: RRule;
  rrule: string;
  first: DateTime;
}

/**
 * The first occurrence is the first match strictly after now (found with interval 1); the real
 * rule starts there, so "every other" counts from it.
 */
export function resolveRecurrence(
  now: DateTime,
  spec: RecurrenceSpec,
  time: LocalTime | null,
): ResolvedRecurrence | null {
  const clock = time ?? DEFAULT_TIME;
  const parts = ruleParts(spec);
  const nowFloating = floating(now);
  // The clock time goes into the probe explicitly; the real rule takes it from its start.
  const probe = new RRule({
    ...parts,
    interval: 1,
    byhour: clock.hour === 24 ? 0 : clock.hour,
    byminute: clock.minute,
    bysecond: 0,
    dtstart: floating(now.startOf('day')),
  });
  const firstFloating = probe.after(nowFloating, false);
  if (!firstFloating) return null;
  // The end day, read like any date: without a year it is the next time that day comes round.
  const endDay = spec.until ? nextCalendarDate(now.startOf('day'), spec.until, { hour: 23, minute: 59 }) : null;
  const until = endDay ? new Date(Date.UTC(endDay.year, endDay.month - 1, endDay.day, 23, 59, 59)) : null;
  if (until && firstFloating > until) return null;
  const rule = new RRule({
    ...parts,
    interval: spec.interval,
    dtstart: firstFloating,
    until,
    count: spec.count,
  });
  const zone = String(now.zoneName);
  return { rule, rrule: formatRule(spec, firstFloating, until, zone), first: fromFloating(firstFloating, zone) };
}

const icalLocal = (date: Date) => DateTime.fromJSDate(date, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss");

/**
 * iCalendar text for the rule: the start as local time with its zone, and (RFC 5545) the end as
 * the UTC instant of the local end of the `until` day. We evaluate on wall-clock times; this text
 * is what other calendar tools read.
 */
function formatRule(spec: RecurrenceSpec, start: Date, until: Date | null, zone: string): string {
  const body = new RRule({ ...ruleParts(spec), interval: spec.interval, count: spec.count })
    .toString()
    .replace(/^RRULE:/, '')
    .split(';')
    .filter((part) => part !== 'INTERVAL=1');
  if (until) {
    const instant = fromFloating(until, zone).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
    body.push(`UNTIL=${instant}`);
  }
  return `DTSTART;TZID=${zone}:${icalLocal(start)}\nRRULE:${body.join(';')}`;
}

/** The next `count` occurrences of a resolved rule, as zoned instants. */
export function nextOccurrences(resolved: ResolvedRecurrence, zone: string, count = OCCURRENCES): DateTime[] {
  return resolved.rule.all((_, index) => index < count).map((date) => fromFloating(date, zone));
}

const iso = (moment: DateTime): string => moment.toUTC().toISO({ suppressMilliseconds: true }) ?? '';

/** Applies the time conventions and produces the `taskpilot parse` result. */
export function resolveUnderstanding(understanding: Understanding, nowInstant: Date, zone: string): ParseResult {
  const now = DateTime.fromJSDate(nowInstant, { zone });
  const { when } = understanding;
  let dueAt: string | null = null;
  let recurrence: ParseResult['recurrence'] = null;
  let occurrences: string[] = [];

  if (when.recurrence) {
    const resolved = resolveRecurrence(now, when.recurrence, when.time);
    if (!resolved) throw new UserInputError('That repeat ends before it would first run. Check its end date.');
    occurrences = nextOccurrences(resolved, zone).map(iso);
    dueAt = occurrences[0] ?? null;
    recurrence = { rrule: resolved.rrule, tz: zone };
  } else {
    const due = oneOff(now, when);
    if (due?.isValid) {
      dueAt = iso(due);
      occurrences = [dueAt];
    }
  }

  return {
    intent: understanding.intent,
    title: understanding.title,
    dueAt,
    recurrence,
    occurrences,
    assignees: understanding.assignees,
    channel: understanding.channel,
    taskRef: understanding.taskRef,
  };
}
