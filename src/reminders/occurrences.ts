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

/**
 * The instant of a wall-clock time in `zone`. Luxon alone resolves a repeated (fall-back) time by
 * the offset in force at the machine's current date, so both candidate offsets are tried here:
 * of two valid instants the first is taken; a time in a spring-forward gap (no valid instant)
 * moves forward by the gap, as a wall clock would.
 */
function placed(date: Date, zone: string): Date {
  const wall = date.getTime();
  const offsetAt = (instant: number) => DateTime.fromMillis(instant, { zone }).offset * 60_000;
  const offsets = [...new Set([offsetAt(wall - 36 * 3_600_000), offsetAt(wall + 36 * 3_600_000)])];
  const valid = offsets.map((offset) => wall - offset).filter((instant) => wall - offsetAt(instant) === instant);
  if (valid.length > 0) return new Date(Math.min(...valid));
  // In a gap: read the wall time with the offset from before the change.
  return new Date(wall - Math.min(...offsets.map((offset) => offset)));
}

interface FloatingRule {
  rule: RRule;
  /** The series' end as an instant (UNTIL is UTC in the stored text); compared after placing. */
  until: Date | null;
}

const rules = new Map<string, FloatingRule>();

/** The rule on floating times; parsed once per distinct text (tasks share few distinct rules). */
function floatingRule(recurrence: StoredRecurrence): FloatingRule {
  const cacheKey = `${recurrence.tz}\n${recurrence.rrule}`;
  const cached = rules.get(cacheKey);
  if (cached) return cached;
  const start = /DTSTART;TZID=([^:]+):(\d{8}T\d{6})/.exec(recurrence.rrule);
  const body = /RRULE:([^\n]+)/.exec(recurrence.rrule)?.[1];
  if (!start?.[2] || !body) throw new Error(`not a stored recurrence: ${recurrence.rrule}`);
  const dtstart = DateTime.fromFormat(start[2], "yyyyMMdd'T'HHmmss", { zone: 'utc' }).toJSDate();
  const { until, ...options } = RRule.parseString(body);
  const parsed = { rule: new RRule({ ...options, dtstart }), until: until ?? null };
  if (rules.size > 1000) rules.clear();
  rules.set(cacheKey, parsed);
  return parsed;
}

function zoneOf(recurrence: StoredRecurrence): string {
  return /DTSTART;TZID=([^:]+):/.exec(recurrence.rrule)?.[1] ?? recurrence.tz;
}

/** Further back than any clock change, so an occurrence moved forward by a gap is not stepped over. */
const LOOKBACK_MS = 3 * 3_600_000;

/** The first occurrence strictly after `after`, or null when the series has ended. */
export function occurrenceAfter(recurrence: StoredRecurrence, after: Date): Date | null {
  const zone = zoneOf(recurrence);
  const { rule, until } = floatingRule(recurrence);
  let cursor = new Date(floating(after, zone).getTime() - LOOKBACK_MS);
  for (let guard = 0; guard < 16; guard += 1) {
    const next = rule.after(cursor, false);
    if (!next) return null;
    const instant = placed(next, zone);
    if (until && instant > until) return null;
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
