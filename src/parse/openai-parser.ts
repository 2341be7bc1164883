import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { INTENTS, WhenSpec } from './types';

/**
 * What the model is asked for: the intent, the task text and the time in LOCAL wall-clock terms
 * (the same WhenSpec the deterministic parser produces). It never converts time zones; code does.
 */
export const ModelAnswer = z.object({
  intent: z.enum(INTENTS),
  title: z.string().nullable(),
  taskRef: z.number().int().nullable(),
  when: WhenSpec,
});
export type ModelAnswer = z.infer<typeof ModelAnswer>;

const INSTRUCTIONS = `You turn one Slack request for a task assistant into JSON.
Fields:
- intent: create_task, list_tasks, complete_task ("done 42"), snooze_task, delete_task, run_agent (run tests/commands/agents), help.
- title: what to do, in the person's own words, without "remind me to" and without any time words; null if there is none.
- taskRef: the task number in done/snooze/delete requests ("#42" → 42), else null.
- when: the time exactly as the person said it, as LOCAL wall-clock fields. Never convert time zones and never compute dates yourself:
  - "tomorrow" → dayOffset 1; "today"/"tonight" → dayOffset 0; "on Friday"/"next Friday" → weekday "FR";
  - "in 3 days"/"in 2 weeks" → inDays 3 / 14; "in 20 minutes"/"in 2 hours" → inMinutes 20 / 120;
  - a calendar date → date {year (null if not said), month, day}; "the 15th" → date {year: null, month: null, day: 15};
  - a clock time → time {hour 0-23, minute}; morning 9:00, noon 12:00, afternoon 15:00, evening 18:00, tonight 20:00, end of day 17:00, midnight → hour 24; a bare "at 9" is 09:00;
  - repeats → recurrence {freq DAILY|WEEKLY|MONTHLY|YEARLY, interval (2 for "every other"), byWeekday ["MO",…] or null, byMonthDay (-1 = last day) or null, bySetPos (2 = second, -1 = last, with one weekday) or null, byMonth or null, until {year, month, day} or null, count or null};
  - every field not said is null.`;

export interface LocalNow {
  date: string;
  weekday: string;
  time: string;
}

export interface ModelCall {
  answer: ModelAnswer;
  promptTokens: number;
  completionTokens: number;
}

/** One structured-output call. Retries, timeouts and the breaker are the caller's (cockatiel). */
export async function askModel(
  client: OpenAI,
  model: string,
  text: string,
  now: LocalNow,
  signal: AbortSignal,
): Promise<ModelCall> {
  const completion = await client.chat.completions.parse(
    {
      model,
      temperature: 0,
      messages: [
        { role: 'system', content: INSTRUCTIONS },
        {
          role: 'user',
          // Only the calendar context the model needs to read relative words; no zone, no offset.
          content: `Today is ${now.weekday} ${now.date}, ${now.time} local time.\nRequest: ${JSON.stringify(text)}`,
        },
      ],
      response_format: zodResponseFormat(ModelAnswer, 'task_request'),
    },
    { signal },
  );
  const parsed = completion.choices[0]?.message.parsed;
  if (!parsed)
    throw new Error(`the model returned no structured answer (${completion.choices[0]?.finish_reason ?? 'none'})`);
  return {
    answer: parsed,
    promptTokens: completion.usage?.prompt_tokens ?? 0,
    completionTokens: completion.usage?.completion_tokens ?? 0,
  };
}
