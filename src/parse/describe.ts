import { DateTime } from 'luxon';
import { RRule, Weekday } from 'rrule';

/**
 * Canonical wording of a stored rule, as the confirmation shows it: "every weekday at 09:00,
 * Europe/Berlin". Pure; reads the iCalendar text resolve.ts writes.
 */

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const ORDINALS: Record<number, string> = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'fifth', [-1]: 'last' };
const MONTHS = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function list(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function ordinalDay(day: number): string {
  if (day === -1) return 'last day';
  const suffix =
    day % 10 === 1 && day !== 11
      ? 'st'
      : day % 10 === 2 && day !== 12
        ? 'nd'
        : day % 10 === 3 && day !== 13
          ? 'rd'
          : 'th';
  return `${day}${suffix}`;
}

type ByWeekday = NonNullable<ReturnType<typeof RRule.parseString>['byweekday']>;

function weekdaysOf(value: ByWeekday | undefined): Weekday[] {
  const days = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return days.map((day) =>
    typeof day === 'string' ? Weekday.fromStr(day) : typeof day === 'number' ? new Weekday(day) : day,
  );
}

export function describeRule(rruleText: string, tz: string): string {
  const start = /DTSTART;TZID=[^:]+:(\d{8}T\d{6})/.exec(rruleText)?.[1];
  const body = /RRULE:(.+)/.exec(rruleText)?.[1] ?? '';
  const options = RRule.parseString(body);
  const time = start ? DateTime.fromFormat(start, "yyyyMMdd'T'HHmmss").toFormat('HH:mm') : '09:00';
  const interval = options.interval ?? 1;
  const every = (unit: string, plural: string) =>
    interval === 1 ? `every ${unit}` : interval === 2 ? `every other ${unit}` : `every ${interval} ${plural}`;
  const weekdays = weekdaysOf(options.byweekday ?? undefined);
  const dayIndexes = weekdays.map((day) => day.weekday);
  const monthDays = ([] as number[]).concat(options.bymonthday ?? []);
  let phrase: string;

  switch (options.freq) {
    case RRule.DAILY:
      phrase = every('day', 'days');
      break;
    case RRule.WEEKLY: {
      const sorted = [...new Set(dayIndexes)].sort();
      if (interval === 1 && sorted.join() === '0,1,2,3,4') phrase = 'every weekday';
      else if (interval === 1 && sorted.join() === '5,6') phrase = 'every weekend day';
      else if (sorted.length > 0) {
        const names = list(sorted.map((index) => DAY_NAMES[index] ?? ''));
        phrase = interval === 1 ? `every ${names}` : `${every('week', 'weeks')} on ${names}`;
      } else phrase = every('week', 'weeks');
      break;
    }
    case RRule.MONTHLY: {
      const nth = weekdays.find((day) => day.n !== undefined && day.n !== 0);
      if (nth?.n !== undefined) {
        phrase = `${every('month', 'months')} on the ${ORDINALS[nth.n] ?? `${nth.n}th`} ${DAY_NAMES[nth.weekday]}`;
      } else if (monthDays.length > 0) {
        phrase = `${every('month', 'months')} on the ${list(monthDays.map(ordinalDay))}`;
      } else phrase = every('month', 'months');
      break;
    }
    case RRule.YEARLY: {
      const month = ([] as number[]).concat(options.bymonth ?? [])[0];
      phrase = month && monthDays[0] ? `every year on ${MONTHS[month]} ${monthDays[0]}` : every('year', 'years');
      break;
    }
    default:
      phrase = 'repeating';
  }

  const limits: string[] = [];
  if (options.count) limits.push(`${options.count} times`);
  if (options.until) limits.push(`until ${DateTime.fromJSDate(options.until).setZone(tz).toFormat('d LLL yyyy')}`);
  return `${phrase} at ${time}${limits.length ? `, ${limits.join(', ')}` : ''}, ${tz}`;
}
