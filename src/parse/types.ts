import { z } from 'zod';

/**
 * The shapes every parser shares. A parser (deterministic or OpenAI) only says what the person
 * meant in LOCAL wall-clock terms (`When`); `resolve.ts` alone turns that into instants in the
 * requester's zone. The schema is written for OpenAI structured output too: every field is
 * required and nullable.
 */

export const INTENTS = [
  'create_task',
  'list_tasks',
  'complete_task',
  'snooze_task',
  'delete_task',
  'run_agent',
  'help',
] as const;
export type Intent = (typeof INTENTS)[number];

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const LocalDate = z.object({
  year: z.number().int().min(1970).max(9999).nullable(),
  month: z.number().int().min(1).max(12).nullable(),
  day: z.number().int().min(1).max(31).nullable(),
});
export type LocalDate = z.infer<typeof LocalDate>;

const LocalTime = z.object({
  /** 0–23, or 24 for midnight at the end of the day (00:00 of the next day). */
  hour: z.number().int().min(0).max(24),
  minute: z.number().int().min(0).max(59),
});
export type LocalTime = z.infer<typeof LocalTime>;

export const RecurrenceSpec = z.object({
  freq: z.enum(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']),
  interval: z.number().int().min(1).max(366),
  byWeekday: z.array(z.enum(WEEKDAYS)).nullable(),
  /** Day of month 1–31, or -1 for the last day. */
  byMonthDay: z.number().int().min(-1).max(31).nullable(),
  /** With one weekday: 2 = the 2nd Tuesday, -1 = the last Friday. */
  bySetPos: z.number().int().min(-1).max(5).nullable(),
  byMonth: z.number().int().min(1).max(12).nullable(),
  /** The series ends after this local date (inclusive). */
  until: LocalDate.nullable(),
  count: z.number().int().min(1).max(1000).nullable(),
});
export type RecurrenceSpec = z.infer<typeof RecurrenceSpec>;

export const WhenSpec = z.object({
  /** An absolute calendar date, possibly partial ("June 1" has no year, "the 15th" only a day). */
  date: LocalDate.nullable(),
  /** "on Friday", "next Friday": the next such day after today. */
  weekday: z.enum(WEEKDAYS).nullable(),
  /** "today" 0, "tomorrow" 1: the clock time defaults to 09:00. */
  dayOffset: z.number().int().min(0).max(366).nullable(),
  /** "in 3 days", "in 2 weeks" (as days): the clock time stays as it is now. */
  inDays: z.number().int().min(1).max(3660).nullable(),
  /** "in 20 minutes", "in 2 hours": elapsed time from now. */
  inMinutes: z.number().int().min(1).max(525_600).nullable(),
  time: LocalTime.nullable(),
  recurrence: RecurrenceSpec.nullable(),
});
export type WhenSpec = z.infer<typeof WhenSpec>;

export const EMPTY_WHEN: WhenSpec = {
  date: null,
  weekday: null,
  dayOffset: null,
  inDays: null,
  inMinutes: null,
  time: null,
  recurrence: null,
};

/** What a parser understood, before time resolution. */
export interface Understanding {
  intent: Intent;
  title: string | null;
  when: WhenSpec;
  assignees: string[];
  channel: string | null;
  taskRef: number | null;
}

/** The `taskpilot parse` contract (DESIGN.md): instants in UTC ISO form. */
export interface ParseResult {
  intent: Intent;
  title: string | null;
  dueAt: string | null;
  recurrence: { rrule: string; tz: string } | null;
  occurrences: string[];
  assignees: string[];
  channel: string | null;
  taskRef: number | null;
}
