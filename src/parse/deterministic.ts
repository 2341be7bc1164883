import * as chrono from 'chrono-node';
import { UserInputError } from '../errors';
import { preprocess } from './preprocess';
import {
  EMPTY_WHEN,
  type Intent,
  type LocalDate,
  type LocalTime,
  type RecurrenceSpec,
  type Understanding,
  type Weekday,
  type WhenSpec,
} from './types';

/**
 * The deterministic parser: a small grammar for commands and recurrence, our own rules for the
 * relative phrases whose conventions differ from chrono's defaults ("tonight" is 20:00, a bare
 * weekday is never today…), and chrono-node for calendar dates. It only says what was meant in
 * local wall-clock terms; resolve.ts applies the zone.
 */

const WEEKDAY_WORDS: [RegExp, Weekday][] = [
  [/^mon/i, 'MO'],
  [/^tue/i, 'TU'],
  [/^wed/i, 'WE'],
  [/^thu/i, 'TH'],
  [/^fri/i, 'FR'],
  [/^sat/i, 'SA'],
  [/^sun/i, 'SU'],
];
const DAY =
  '(?:mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs?|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)s?\\.?';
const DAY_LIST = `${DAY}(?:\\s*(?:,|and|&|\\+)\\s*${DAY})*`;
const ORDINAL: Record<string, number> = {
  '1st': 1,
  first: 1,
  '2nd': 2,
  second: 2,
  '3rd': 3,
  third: 3,
  '4th': 4,
  fourth: 4,
  '5th': 5,
  fifth: 5,
  last: -1,
};
const ORDINAL_WORD = '(1st|first|2nd|second|3rd|third|4th|fourth|5th|fifth|last)';
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  'forty-five': 45,
};
const NUMBER =
  '(\\d+(?:\\.\\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty-five|half an?)';
/** Units of a delay: "in 20 minutes", "snooze 42 2 wks". */
const UNIT = '(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)';
const NAMED_TIMES: Record<string, { hour: number; minute: number }> = {
  morning: { hour: 9, minute: 0 },
  noon: { hour: 12, minute: 0 },
  midday: { hour: 12, minute: 0 },
  afternoon: { hour: 15, minute: 0 },
  evening: { hour: 18, minute: 0 },
  tonight: { hour: 20, minute: 0 },
  eod: { hour: 17, minute: 0 },
  midnight: { hour: 24, minute: 0 },
};

function weekdayOf(word: string): Weekday | undefined {
  return WEEKDAY_WORDS.find(([pattern]) => pattern.test(word.trim()))?.[1];
}

function weekdaysIn(list: string): Weekday[] {
  const days = list
    .split(/\s*(?:,|and|&|\+)\s*/i)
    .map(weekdayOf)
    .filter((day): day is Weekday => day !== undefined);
  return [...new Set(days)];
}

function amount(word: string): number {
  const lower = word.toLowerCase();
  if (lower.startsWith('half')) return 0.5;
  return NUMBER_WORDS[lower] ?? Number.parseFloat(lower);
}

/** Text being consumed rule by rule; matched spans are blanked so they leave the title. */
class Scanner {
  constructor(public text: string) {}
  take(pattern: RegExp): RegExpExecArray | null {
    const match = pattern.exec(this.text);
    if (match) {
      this.text = `${this.text.slice(0, match.index)} ${this.text.slice(match.index + match[0].length)}`;
    }
    return match;
  }
}

function baseRecurrence(freq: RecurrenceSpec['freq'], interval = 1): RecurrenceSpec {
  return { freq, interval, byWeekday: null, byMonthDay: null, bySetPos: null, byMonth: null, until: null, count: null };
}

/** chrono only reads the calendar fields here; the year is ours to choose (resolve.ts). */
const CHRONO_REFERENCE = new Date(Date.UTC(2000, 0, 1));

/**
 * Takes the first calendar date chrono finds ("June 1st", "3/14", "2026-12-24") at or after
 * `from`. chrono reads a time next to the date as part of it ("December 25 at 8am"), so a time it
 * is certain of is handed to `onTime` instead of being lost with the consumed text.
 */
function takeChronoDate(scanner: Scanner, onTime: (time: LocalTime) => void, from = 0): LocalDate | null {
  const found = chrono.strict
    .parse(scanner.text.slice(from), CHRONO_REFERENCE, { forwardDate: false })
    // Relative phrases ("in 1.5 hours") are ours to read: chrono would date them from its
    // fixed reference day.
    .find(
      (result) =>
        result.start.isCertain('month') && result.start.isCertain('day') && !result.tags().has('result/relativeDate'),
    );
  if (!found) return null;
  const index = from + found.index;
  const before = scanner.text.slice(0, index).replace(/\b(?:on|by|for)\s*$/i, '');
  scanner.text = `${before} ${scanner.text.slice(index + found.text.length)}`;
  if (found.start.isCertain('hour')) {
    onTime({ hour: found.start.get('hour') ?? 0, minute: found.start.get('minute') ?? 0 });
  }
  return {
    year: found.start.isCertain('year') ? (found.start.get('year') ?? null) : null,
    month: found.start.get('month') ?? null,
    day: found.start.get('day') ?? null,
  };
}

/** A part of the day named by a rule ("every evening"): the time when no clock time is given. */
type Period = 'morning' | 'afternoon' | 'evening';

function takeRecurrence(scanner: Scanner, when: WhenSpec, hints: { period?: Period }): RecurrenceSpec | null {
  let spec: RecurrenceSpec | null = null;
  const setTime = (time: LocalTime) => {
    when.time ??= time;
  };

  // Monthly on an nth weekday: "the 2nd Tuesday of every month", "every month on the last Friday".
  const nth =
    scanner.take(
      new RegExp(`\\b(?:on\\s+)?the\\s+${ORDINAL_WORD}\\s+(${DAY})\\s+of\\s+(?:every|each|the)\\s+month\\b`, 'i'),
    ) ??
    scanner.take(
      new RegExp(`\\b(?:(?:every|each)\\s+month|monthly)\\s+on\\s+the\\s+${ORDINAL_WORD}\\s+(${DAY})(?!\\w)`, 'i'),
    ) ??
    scanner.take(new RegExp(`\\b(?:every|each)\\s+${ORDINAL_WORD}\\s+(${DAY})(?!\\w)`, 'i'));
  if (nth?.[1] && nth[2]) {
    spec = {
      ...baseRecurrence('MONTHLY'),
      byWeekday: weekdaysIn(nth[2]).slice(0, 1),
      bySetPos: ORDINAL[nth[1].toLowerCase()] ?? 1,
    };
  }

  // Monthly on a day: "every month on the 15th", "monthly on the 1st", "on the 1st of every month".
  const monthDay =
    spec === null
      ? (scanner.take(/\b(?:(?:every|each)\s+month|monthly)\s+on\s+the\s+(\d{1,2})(?:st|nd|rd|th)?\b/i) ??
        scanner.take(/\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)?\s+of\s+(?:every|each)\s+month\b/i))
      : null;
  if (monthDay?.[1]) spec = { ...baseRecurrence('MONTHLY'), byMonthDay: Number(monthDay[1]) };
  if (
    spec === null &&
    scanner.take(/\b(?:(?:every|each)\s+month|monthly)\s+on\s+the\s+last\s+day\b|\bevery\s+last\s+day\b/i)
  ) {
    spec = { ...baseRecurrence('MONTHLY'), byMonthDay: -1 };
  }

  // Yearly: "every year on June 1", "every June 1st", "yearly on 12/24".
  if (spec === null) {
    const yearly = scanner.take(/\b(?:(?:every|each)\s+year|yearly|annually)\s+on\s+/i);
    const everyDate = yearly
      ? null
      : /\b(?:every|each)\s+(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)/i.exec(scanner.text);
    if (yearly || everyDate) {
      if (everyDate) scanner.take(/\b(?:every|each)\s+/i);
      const date = takeChronoDate(scanner, setTime);
      if (date?.month && date.day) spec = { ...baseRecurrence('YEARLY'), byMonth: date.month, byMonthDay: date.day };
    }
  }

  // Intervals: "every other week", "every 3 days", "every 2 weeks".
  if (spec === null) {
    const every = scanner.take(/\b(?:every|each)\s+(other|\d+)\s+(day|week|month|year)s?\b/i);
    if (every?.[1] && every[2]) {
      const interval = every[1].toLowerCase() === 'other' ? 2 : Number(every[1]);
      const unit = every[2].toLowerCase();
      spec = baseRecurrence(
        unit === 'day' ? 'DAILY' : unit === 'week' ? 'WEEKLY' : unit === 'month' ? 'MONTHLY' : 'YEARLY',
        interval,
      );
    }
  }

  // Weekdays: "every Monday and Wednesday", "every other Friday", "on Mondays", "weekly on Sunday".
  const dayList =
    scanner.take(new RegExp(`\\b(?:every|each)\\s+(other\\s+)?(${DAY_LIST})(?!\\w)`, 'i')) ??
    (spec?.freq === 'WEEKLY' || spec === null
      ? scanner.take(
          /\b(?:on\s+)?((?:mon|tues|wednes|thurs|fri|satur|sun)days(?:\s*(?:,|and|&)\s*(?:mon|tues|wednes|thurs|fri|satur|sun)days)*)\b/i,
        )
      : null);
  if (dayList) {
    const other = dayList.length > 2 && Boolean(dayList[1]);
    const list = dayList.length > 2 ? (dayList[2] ?? '') : (dayList[1] ?? '');
    const days = weekdaysIn(list);
    if (days.length > 0) {
      spec = { ...(spec ?? baseRecurrence('WEEKLY', other ? 2 : 1)), freq: 'WEEKLY', byWeekday: days };
    }
  }

  // Plain periods: "every day", "daily", "every weekday", "every morning".
  if (spec === null) {
    const plain = scanner.take(
      /\b(?:(?:every|each)\s+(day|weekday|weekend|week|month|year|morning|afternoon|evening)|(daily|weekdays|weekly|monthly|yearly|annually|nightly))\b/i,
    );
    const word = (plain?.[1] ?? plain?.[2] ?? '').toLowerCase();
    if (word === 'day' || word === 'daily') spec = baseRecurrence('DAILY');
    else if (word === 'weekday' || word === 'weekdays')
      spec = { ...baseRecurrence('WEEKLY'), byWeekday: ['MO', 'TU', 'WE', 'TH', 'FR'] };
    else if (word === 'weekend') spec = { ...baseRecurrence('WEEKLY'), byWeekday: ['SA', 'SU'] };
    else if (word === 'week' || word === 'weekly') spec = baseRecurrence('WEEKLY');
    else if (word === 'month' || word === 'monthly') spec = baseRecurrence('MONTHLY');
    else if (word === 'year' || word === 'yearly' || word === 'annually') spec = baseRecurrence('YEARLY');
    else if (word === 'morning' || word === 'afternoon' || word === 'evening') {
      spec = baseRecurrence('DAILY');
      hints.period = word;
    }
  }
  if (spec === null) return null;

  // A weekly rule with no day repeats on the day it starts: a weekday named elsewhere ("weekly on
  // Sunday", "every 2 weeks on Tuesday") is that day.
  if (spec.freq === 'WEEKLY' && spec.byWeekday === null) {
    const on = scanner.take(new RegExp(`\\b(?:on\\s+)?(${DAY_LIST})(?!\\w)`, 'i'));
    if (on?.[1]) spec.byWeekday = weekdaysIn(on[1]);
  }
  if (spec.freq === 'MONTHLY' && spec.byMonthDay === null && spec.byWeekday === null) {
    const on = scanner.take(/\bon\s+the\s+(\d{1,2})(?:st|nd|rd|th)?\b/i);
    if (on?.[1]) spec.byMonthDay = Number(on[1]);
  }

  // Only what follows "until" is its date; a time before it belongs to the rule.
  const until = scanner.take(/\b(?:until|till|through)\s+/i);
  if (until) spec.until = takeChronoDate(scanner, () => undefined, until.index);
  const count = scanner.take(/\b(?:for\s+)?(\d+|two|three|four|five|six|seven|eight|nine|ten)\s+times\b/i);
  if (count?.[1]) spec.count = amount(count[1]);
  if (spec.interval < 1 || (spec.count !== null && spec.count < 1)) {
    throw new UserInputError('A repeat needs at least one: try `every 2 days` or `every day 3 times`.');
  }
  return spec;
}

const PM_PERIOD = /\b(?:(?:in\s+the|this)\s+)?(afternoon|evening|tonight|night)\b/i;

function takeTime(scanner: Scanner, when: WhenSpec, hints: { period?: Period }): void {
  // "at 9", "at 9:30", "9am", "9:30 pm", "17:30", "@ 10".
  const clock =
    scanner.take(/(?:\bat|@)\s*(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?![\d/:-])/i) ??
    scanner.take(/\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?!\w)/i) ??
    scanner.take(/\b(\d{1,2}):(\d{2})()(?![\d:])/);
  if (clock?.[1]) {
    let hour = Number(clock[1]);
    const minute = Number(clock[2] || 0);
    const meridiem = (clock[3] ?? '').toLowerCase().replace(/\./g, '');
    if (meridiem === 'pm' && hour < 12) hour += 12;
    if (meridiem === 'am' && hour === 12) hour = 0;
    // A part of the day said with the clock picks the half: "tonight at 7", "at 3 in the afternoon".
    const period =
      scanner.take(PM_PERIOD)?.[1]?.toLowerCase() ?? (hints.period !== 'morning' ? hints.period : undefined);
    if (!meridiem && period && hour >= 1 && hour < 12) hour += 12;
    if (period === 'tonight') when.dayOffset ??= 0;
    scanner.take(/\b(?:(?:in\s+the|this)\s+)?morning\b/i);
    if (hour <= 24 && minute < 60) when.time = { hour, minute };
    return;
  }
  const named = scanner.take(
    /\b(?:(?:at|by|this|in\s+the)\s+)?(morning|noon|midday|afternoon|evening|tonight|midnight|eod|end\s+of\s+(?:the\s+)?day|close\s+of\s+business|cob)\b/i,
  );
  if (named?.[1]) {
    const word = named[1].toLowerCase();
    const key = /^(end|close|cob)/.test(word) ? 'eod' : word;
    when.time = NAMED_TIMES[key] ?? null;
    if (word === 'tonight' || /^this\s/i.test(named[0].trim())) when.dayOffset ??= 0;
    return;
  }
  if (hints.period) when.time = NAMED_TIMES[hints.period] ?? null;
}

function takeOneOff(scanner: Scanner, when: WhenSpec): void {
  const elapsed = scanner.take(
    // "for 2 hours" is how long, not when: only "in" is a delay.
    new RegExp(`\\bin\\s+${NUMBER}\\s*${UNIT}\\b`, 'i'),
  );
  if (elapsed?.[1] && elapsed[2]) {
    const count = amount(elapsed[1]);
    const unit = elapsed[2].toLowerCase();
    if (/^m/.test(unit)) when.inMinutes = Math.round(count);
    else if (/^h/.test(unit)) when.inMinutes = Math.round(count * 60);
    else if (/^d/.test(unit)) when.inDays = Math.round(count);
    else when.inDays = Math.round(count * 7);
  }
  if (scanner.take(/\b(?:the\s+)?day\s+after\s+tomorrow\b/i)) when.dayOffset = 2;
  // "tonight" is a time as well as a day: takeTime reads it.
  const relative = scanner.take(/\b(today|tomorrow|tmrw|tmr)\b/i);
  if (relative?.[1]) when.dayOffset = relative[1].toLowerCase() === 'today' ? 0 : 1;
}

function takeDate(scanner: Scanner, when: WhenSpec): void {
  // A full date first: in "Sat Aug 15" the weekday belongs to the date.
  const date = takeChronoDate(scanner, (time) => {
    when.time ??= time;
  });
  if (date) {
    when.date = date;
    return;
  }
  const weekday = scanner.take(new RegExp(`\\b(?:on\\s+)?(?:(?:next|this|coming)\\s+)?(${DAY})(?!\\w)`, 'i'));
  if (weekday?.[1]) {
    when.weekday = weekdayOf(weekday[1]) ?? null;
    return;
  }
  const dayOfMonth = scanner.take(/\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b/i);
  if (dayOfMonth?.[1]) when.date = { year: null, month: null, day: Number(dayOfMonth[1]) };
}

/** Finds the time words of a request; returns them and the text without them. */
export function extractWhen(text: string): { when: WhenSpec; rest: string } {
  const scanner = new Scanner(text);
  const when: WhenSpec = { ...EMPTY_WHEN };
  const hints: { period?: Period } = {};
  when.recurrence = takeRecurrence(scanner, when, hints);
  takeOneOff(scanner, when);
  if (!when.time) takeTime(scanner, when, hints);
  if (!when.recurrence && when.inDays === null && when.inMinutes === null && when.dayOffset === null)
    takeDate(scanner, when);
  // A named part of a day given with a weekday or date: "Monday evening", "tomorrow morning".
  if (!when.time) takeTime(scanner, when, hints);
  if (when.inMinutes !== null) {
    when.time = null;
    when.dayOffset = null;
  }
  return { when, rest: scanner.text };
}

const LEADING_FILLER =
  /^(?:please\s+)?(?:(?:remind\s+(?:me\b\s*)?(?:to|about|that|of)?|remember\s+to|don'?t\s+forget\s+(?:to\s+)?|todo\s*:|task\s*:|to\s+)\s*)+/i;
const DANGLING =
  /^(?:at|on|by|in|from|until|for|and|to|every|each|of|,|-)\s+|\s+(?:at|on|by|in|from|until|for|and|to|the|every|each|of|,|-)$/i;

/** What is left once the time words and the "remind me to" are gone. */
export function cleanTitle(rest: string): string | null {
  let title = rest.replace(/\s+/g, ' ').trim();
  for (let pass = 0; pass < 4; pass += 1) {
    title = title.replace(LEADING_FILLER, '').trim();
    let previous: string;
    do {
      previous = title;
      title = title
        .replace(DANGLING, '')
        .replace(/^[\s,;:.-]+|[\s,;:-]+$/g, '')
        .trim();
    } while (title !== previous);
  }
  return title === '' ? null : title;
}

function command(text: string): { intent: Intent; taskRef: number | null; rest: string } | null {
  if (/^(?:help|\?|commands|what can you do\??)$/i.test(text)) return { intent: 'help', taskRef: null, rest: '' };
  if (
    /^(?:list|ls|show|what(?:'s| is| are)?)(?:\s+(?:my|all|open|the))*(?:\s+(?:tasks?|reminders?|todos?))?(?:\s+(?:on\s+)?(?:today|all))?\s*\??$/i.test(
      text,
    )
  ) {
    return { intent: 'list_tasks', taskRef: null, rest: '' };
  }
  const done = /^(?:done|complete|completed|finish|finished|check|close|mark\s+done)\s+#?(\d+)\s*$/i.exec(text);
  if (done?.[1]) return { intent: 'complete_task', taskRef: Number(done[1]), rest: '' };
  const snooze = /^(?:snooze|postpone|defer)\s+#?(\d+)\s*(.*)$/i.exec(text);
  if (snooze?.[1]) {
    // "snooze 42 1 hour" means in an hour; "snooze 42 until tomorrow" names the new time.
    const when = (snooze[2] ?? '')
      .replace(/^(?:until|till|to|for)\s+/i, '')
      .replace(new RegExp(`^(?=${NUMBER}\\s*${UNIT}\\b)`, 'i'), 'in ');
    return { intent: 'snooze_task', taskRef: Number(snooze[1]), rest: when };
  }
  const remove = /^(?:delete|remove|cancel|drop|rm)\s+#?(\d+)\s*$/i.exec(text);
  if (remove?.[1]) return { intent: 'delete_task', taskRef: Number(remove[1]), rest: '' };
  // Agent runs name something to run: tests, a build, a command, a script, a repository.
  if (
    /^(?:run|execute)\s+(?:the\s+|a\s+|my\s+)?(?:tests?|test\s+suite|specs?|build|ci|lint(?:er)?|agent|command|script|`|https?:\/\/)/i.test(
      text,
    ) ||
    /^(?:test|check)\s+(?:the\s+)?(?:repo(?:sitory)?\s+)?https?:\/\//i.test(text)
  ) {
    return { intent: 'run_agent', taskRef: null, rest: text };
  }
  return null;
}

/** Parses a request in plain language into local wall-clock terms; resolve.ts places it in time. */
export function parseDeterministic(raw: string): Understanding {
  const { text, assignees, channel } = preprocess(raw);
  const recognised = command(text);
  if (recognised && recognised.intent !== 'snooze_task' && recognised.intent !== 'run_agent') {
    return {
      intent: recognised.intent,
      title: null,
      when: { ...EMPTY_WHEN },
      assignees,
      channel,
      taskRef: recognised.taskRef,
    };
  }
  if (recognised?.intent === 'snooze_task') {
    const { when } = extractWhen(recognised.rest);
    return { intent: 'snooze_task', title: null, when, assignees, channel, taskRef: recognised.taskRef };
  }
  const { when, rest } = extractWhen(text);
  return {
    intent: recognised?.intent ?? 'create_task',
    title: cleanTitle(rest),
    when,
    assignees,
    channel,
    taskRef: null,
  };
}
