import { DateTime } from 'luxon';
import { z } from 'zod';
import { FormBlocks, FormInputs } from '../../views/ids';
import { formatOccurrences, truncate } from '../../views/task';
import {
  type FormPreview,
  MAX_FORM_NOTES,
  MAX_FORM_TITLE,
  REPEAT_CHOICES,
  type RepeatChoice,
  type TaskFormFields,
  type TaskFormMeta,
} from '../../views/task-form';
import type { Task } from '../db/models/task';
import { UserInputError } from '../errors';
import { describeRule } from '../parse/describe';
import type { ParseResult } from '../parse/types';
import { occurrencesAfter } from '../reminders/occurrences';

/** Slack's view state: block id → action id → the element's value. */
export type ViewStateValues = Record<string, Record<string, unknown>>;

const Element = z
  .object({
    value: z.string().nullish(),
    selected_users: z.array(z.string()).nullish(),
    selected_conversation: z.string().nullish(),
    selected_date: z.string().nullish(),
    selected_time: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
  })
  .partial();

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}$/;

function element(values: ViewStateValues, block: string, action: string): z.infer<typeof Element> {
  const parsed = Element.safeParse(values[block]?.[action] ?? {});
  return parsed.success ? parsed.data : {};
}

/** The form's fields from Slack's view state; anything malformed reads as empty. */
export function readTaskForm(values: ViewStateValues): TaskFormFields {
  const date = element(values, FormBlocks.date, FormInputs.date).selected_date ?? null;
  const time = element(values, FormBlocks.time, FormInputs.time).selected_time ?? null;
  const repeat = element(values, FormBlocks.repeat, FormInputs.repeat).selected_option?.value ?? 'none';
  const users = element(values, FormBlocks.assignees, FormInputs.assignees).selected_users ?? [];
  const channel = element(values, FormBlocks.channel, FormInputs.channel).selected_conversation ?? null;
  return {
    title: element(values, FormBlocks.title, FormInputs.title).value ?? '',
    notes: element(values, FormBlocks.notes, FormInputs.notes).value ?? '',
    assignees: users.filter((id) => /^[UW][A-Z0-9]+$/.test(id)),
    channelId: channel && /^[CGD][A-Z0-9]+$/.test(channel) ? channel : null,
    date: date && DATE.test(date) ? date : null,
    time: time && TIME.test(time) ? time : null,
    repeat: (REPEAT_CHOICES as readonly string[]).includes(repeat) ? (repeat as RepeatChoice) : 'none',
    customRepeat: element(values, FormBlocks.customRepeat, FormInputs.customRepeat).value ?? '',
  };
}

const Meta = z.object({
  mode: z.enum(['new', 'edit']),
  number: z.number().int().positive().optional(),
  permalink: z.string().url().nullish(),
  sourceChannelId: z.string().nullish(),
  original: z
    .object({
      date: z.string().nullable(),
      time: z.string().nullable(),
      repeat: z.enum(REPEAT_CHOICES),
      customRepeat: z.string(),
    })
    .optional(),
});

export function readTaskFormMeta(text: string | undefined): TaskFormMeta {
  try {
    const parsed = Meta.safeParse(JSON.parse(text ?? ''));
    if (parsed.success) return parsed.data;
  } catch {
    // handled below
  }
  throw new UserInputError('That form is out of date. Please open it again.');
}

/** The schedule the form describes, resolved to instants. */
export interface FormSchedule {
  dueAt: Date | null;
  recurrence: { rrule: string; tz: string } | null;
  /** The next runs (up to 3). */
  occurrences: Date[];
}

export type FormErrors = Partial<Record<(typeof FormBlocks)[keyof typeof FormBlocks], string>>;

export interface FormContext {
  tz: string;
  now: Date;
  /** The parser, for a custom repeat in plain language. */
  parse: (text: string) => Promise<ParseResult>;
}

const RULES: Record<Exclude<RepeatChoice, 'none' | 'custom'>, (start: DateTime) => string> = {
  daily: () => 'FREQ=DAILY',
  weekdays: () => 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  weekly: (start) => `FREQ=WEEKLY;BYDAY=${start.toFormat('ccc').slice(0, 2).toUpperCase()}`,
  monthly: (start) => `FREQ=MONTHLY;BYMONTHDAY=${start.day}`,
};

/**
 * When the form's date and time mean, by the time conventions of typed requests: a date with no
 * time is 09:00; a time with no date is today, or tomorrow once it has passed; a repeat with
 * neither starts today at 09:00.
 */
function startOf(fields: TaskFormFields, tz: string, now: Date): DateTime | null {
  if (!fields.date && !fields.time && fields.repeat === 'none') return null;
  const local = DateTime.fromJSDate(now, { zone: tz });
  const [hour, minute] = (fields.time ?? '09:00').split(':').map(Number);
  const day = fields.date ? DateTime.fromISO(fields.date, { zone: tz }) : local;
  let start = day.set({ hour, minute, second: 0, millisecond: 0 });
  if (!fields.date && fields.time && start <= local) start = start.plus({ days: 1 });
  return start;
}

/** The form's schedule, or the errors to show next to the inputs that caused them. */
export async function resolveSchedule(
  fields: TaskFormFields,
  context: FormContext,
): Promise<{ schedule: FormSchedule } | { errors: FormErrors }> {
  const { tz, now } = context;
  if (fields.repeat === 'custom') {
    const text = fields.customRepeat.trim();
    if (!text)
      return { errors: { [FormBlocks.customRepeat]: 'Describe the repeat, e.g. "every other Tuesday at 10am".' } };
    // A custom rule without a clock time takes the time picker's.
    const withTime = fields.time && !/\d/.test(text) ? `${text} at ${fields.time}` : text;
    let parsed: ParseResult;
    try {
      parsed = await context.parse(`remind me ${withTime}`);
    } catch (error) {
      const message = error instanceof UserInputError ? error.userMessage : 'I could not read that repeat.';
      return { errors: { [FormBlocks.customRepeat]: message } };
    }
    if (!parsed.recurrence || !parsed.dueAt) {
      return {
        errors: {
          [FormBlocks.customRepeat]: `I couldn't find a repeat in "${truncate(text, 60)}". Try "every other Tuesday at 10am".`,
        },
      };
    }
    return {
      schedule: {
        dueAt: new Date(parsed.dueAt),
        recurrence: parsed.recurrence,
        occurrences: parsed.occurrences.map((instant) => new Date(instant)),
      },
    };
  }
  const start = startOf(fields, tz, now);
  if (!start) return { schedule: { dueAt: null, recurrence: null, occurrences: [] } };
  if (!start.isValid) return { errors: { [FormBlocks.date]: 'That date is not valid.' } };
  if (fields.repeat === 'none') {
    if (start.toJSDate() <= now) {
      const block = fields.date ? FormBlocks.date : FormBlocks.time;
      return { errors: { [block]: 'That time has already passed. Pick a time in the future.' } };
    }
    const dueAt = start.toJSDate();
    return { schedule: { dueAt, recurrence: null, occurrences: [dueAt] } };
  }
  const recurrence = {
    rrule: `DTSTART;TZID=${tz}:${start.toFormat("yyyyMMdd'T'HHmmss")}\nRRULE:${RULES[fields.repeat](start)}`,
    tz,
  };
  // The series starts at the chosen date; runs already past are not reminders any more.
  const after = new Date(Math.max(now.getTime(), start.toMillis() - 1000));
  const occurrences = occurrencesAfter(recurrence, after, 3);
  const [dueAt] = occurrences;
  if (!dueAt) return { errors: { [FormBlocks.repeat]: 'That repeat never comes round again.' } };
  return { schedule: { dueAt, recurrence, occurrences } };
}

/** Everything the form says about a task, checked; the schedule is resolved by resolveSchedule. */
export function checkFields(fields: TaskFormFields): FormErrors {
  const errors: FormErrors = {};
  const title = fields.title.replace(/\s+/g, ' ').trim();
  if (!title) errors[FormBlocks.title] = 'What should the task be? A few words are enough.';
  else if (title.length > MAX_FORM_TITLE) errors[FormBlocks.title] = `Up to ${MAX_FORM_TITLE} characters, please.`;
  if (fields.notes.trim().length > MAX_FORM_NOTES) errors[FormBlocks.notes] = `Up to ${MAX_FORM_NOTES} characters.`;
  return errors;
}

/** The preview line under the form: the next runs in the person's zone, or what is wrong. */
export function previewOf(
  result: { schedule: FormSchedule } | { errors: FormErrors },
  tz: string,
  now: Date,
): FormPreview {
  if ('errors' in result) return { problem: Object.values(result.errors)[0] ?? 'Check the date and repeat.' };
  if (result.schedule.occurrences.length === 0) return null;
  const runs = formatOccurrences(result.schedule.occurrences, tz, now);
  const rule = result.schedule.recurrence ? describeRule(result.schedule.recurrence.rrule, tz) : null;
  return { runs: rule ? [...runs, `_${rule}_`] : runs };
}

/** The form opened on an existing task: its fields, and its schedule as the pickers show it. */
export function fieldsOfTask(
  task: Pick<Task, 'title' | 'notes' | 'assignees' | 'channelId' | 'dueAt' | 'nextFireAt' | 'recurrence'>,
  tz: string,
): TaskFormFields {
  const at = task.nextFireAt ?? task.dueAt;
  const local = at ? DateTime.fromJSDate(at, { zone: tz }) : null;
  const repeat = task.recurrence ? repeatOfRule(task.recurrence.rrule) : 'none';
  return {
    title: task.title,
    notes: task.notes ?? '',
    assignees: [...task.assignees],
    channelId: task.channelId,
    date: local ? local.toISODate() : null,
    time: local ? local.toFormat('HH:mm') : null,
    repeat,
    customRepeat: repeat === 'custom' && task.recurrence ? describeRule(task.recurrence.rrule, task.recurrence.tz) : '',
  };
}

/** Which menu entry a stored rule is, if it is one of them; anything else is custom. */
export function repeatOfRule(rrule: string): RepeatChoice {
  const body = /RRULE:([^\n]+)/.exec(rrule)?.[1] ?? '';
  if (body === 'FREQ=DAILY') return 'daily';
  if (body === 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR') return 'weekdays';
  if (/^FREQ=WEEKLY;BYDAY=(MO|TU|WE|TH|FR|SA|SU)$/.test(body)) return 'weekly';
  if (/^FREQ=MONTHLY;BYMONTHDAY=\d{1,2}$/.test(body)) return 'monthly';
  return 'custom';
}

/** Whether the person changed the schedule in an edit (if not, the task keeps its own). */
export function scheduleChanged(fields: TaskFormFields, meta: TaskFormMeta): boolean {
  const original = meta.original;
  if (!original) return true;
  return (
    fields.date !== original.date ||
    fields.time !== original.time ||
    fields.repeat !== original.repeat ||
    (fields.repeat === 'custom' && fields.customRepeat.trim() !== original.customRepeat.trim())
  );
}
