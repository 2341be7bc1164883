import { DateTime } from 'luxon';
import { RRule } from 'rrule';

/**
 * Occurrences of a stored rule (the iCalendar text resolve.ts writes: DTSTART;TZID=zone:local
 * and an RRULE whose UNTIL is a UTC instant). Rules are evaluated on wall-clock ("floating")
 * times and each occurrence is then placed in the zone, so 09:00 stays 09:00 across DST: a time
 * that falls in a spring-forward gap moves to the first valid minute after it, and a time that
 * occurs twice on a fall-back day fires once, at its first occurrence.
 */
export interface StoredRecurrence {
  rrule: string;
  tz: string;
}

function floating(instant: Date, zone: string): Date {
  const local = DateTime.fromJSDate(instant, { zone });
  return new Date(
    Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond),
  );
}

function placed(date: Date, zone: string): Date {
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
  ).toJSDate();
}

const rules = new Map<string, RRule>();

/** The rule on floating times; parsed once per distinct text (tasks share few distinct rules). */
function floatingRule(recurrence: StoredRecurrence): RRule {
  const cacheKey = `${recurrence.tz}\n${recurrence.rrule}`;
  const cached = rules.get(cacheKey);
  if (cached) return cached;
  const start = /DTSTART;TZID=([^:]+):(\d{8}T\d{6})/.exec(recurrence.rrule);
  const body = /RRULE:([^\n]+)/.exec(recurrence.rrule)?.[1];
  if (!start?.[2] || !body) throw new Error(`not a stored recurrence: ${recurrence.rrule}`);
  const zone = start[1] ?? recurrence.tz;
  const dtstart = DateTime.fromFormat(start[2], "yyyyMMdd'T'HHmmss", { zone: 'utc' }).toJSDate();
  const options = RRule.parseString(body);
  // UNTIL is an instant; on the floating calendar it is that instant's wall-clock time.
  const until = options.until ? floating(options.until, zone) : null;
  const rule = new RRule({ ...options, dtstart, until });
  if (rules.size > 1000) rules.clear();
  rules.set(cacheKey, rule);
  return rule;
}

function zoneOf(recurrence: StoredRecurrence): string {
  return /DTSTART;TZID=([^:]+):/.exec(recurrence.rrule)?.[1] ?? recurrence.tz;
}

/** The first occurrence strictly after `after`, or null when the series has ended. */
export function occurrenceAfter(recurrence: StoredRecurrence, after: Date): Date | null {
  const zone = zoneOf(recurrence);
  const rule = floatingRule(recurrence);
  let cursor = floating(after, zone);
  // A gap-shifted occurrence can land at or before `after` in real time; step past it.
  for (let guard = 0; guard < 4; guard += 1) {
    const next = rule.after(cursor, false);
    if (!next) return null;
    const instant = placed(next, zone);
    if (instant > after) return instant;
    cursor = next;
  }
  return null;
}

/** The next `count` occurrences strictly after `after`. */
export function occurrencesAfter(recurrence: StoredRecurrence, after: Date, count: number): Date[] {
  const found: Date[] = [];
  let cursor = after;
  while (found.length < count) {
    const next = occurrenceAfter(recurrence, cursor);
    if (!next) break;
    found.push(next);
    cursor = next;
  }
  return found;
}

/** How many occurrences fall in (from, to]; capped, because it only feeds "missed N times". */
export function countOccurrencesBetween(recurrence: StoredRecurrence, from: Date, to: Date, cap = 1000): number {
  let count = 0;
  let cursor = from;
  while (count < cap) {
    const next = occurrenceAfter(recurrence, cursor);
    if (!next || next > to) break;
    count += 1;
    cursor = next;
  }
  return count;
}
