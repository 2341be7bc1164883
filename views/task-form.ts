import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { DateTime } from 'luxon';
import { CallbackIds, FormBlocks, FormInputs } from './ids';
import { escapeText, truncate } from './task';

export const REPEAT_CHOICES = ['none', 'daily', 'weekdays', 'weekly', 'monthly', 'custom'] as const;
export type RepeatChoice = (typeof REPEAT_CHOICES)[number];

/** What the form's fields hold; the same shape whether it comes from a task or from Slack's view state. */
export interface TaskFormFields {
  title: string;
  notes: string;
  assignees: string[];
  channelId: string | null;
  /** yyyy-MM-dd and HH:mm in the person's zone, as Slack's date and time pickers give them. */
  date: string | null;
  time: string | null;
  repeat: RepeatChoice;
  customRepeat: string;
}

/** A blank form. */
export const EMPTY_FORM: TaskFormFields = {
  title: '',
  notes: '',
  assignees: [],
  channelId: null,
  date: null,
  time: null,
  repeat: 'none',
  customRepeat: '',
};

/** What the form remembers between opening and submitting (Slack's private_metadata). */
export interface TaskFormMeta {
  mode: 'new' | 'edit';
  /** The task being edited. */
  number?: number;
  /** Made from a message: its link, kept on the task so the reminder can point back. */
  permalink?: string | null;
  sourceChannelId?: string | null;
  /** The schedule the form opened with: an edit that leaves it alone does not reschedule. */
  original?: Pick<TaskFormFields, 'date' | 'time' | 'repeat' | 'customRepeat'>;
}

export type FormPreview = { runs: string[] } | { problem: string } | null;

export const MAX_FORM_TITLE = 500;
export const MAX_FORM_NOTES = 3000;

function ordinal(day: number): string {
  const suffix = day % 100 >= 11 && day % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][day % 10] ?? 'th');
  return `${day}${suffix}`;
}

/** The repeat menu's words follow the chosen date: "Weekly on Wednesday", "Monthly on the 4th". */
export function repeatLabel(choice: RepeatChoice, date: string | null, tz: string, now: Date): string {
  const day = date ? DateTime.fromISO(date, { zone: tz }) : DateTime.fromJSDate(now, { zone: tz });
  switch (choice) {
    case 'none':
      return 'Does not repeat';
    case 'daily':
      return 'Every day';
    case 'weekdays':
      return 'Every weekday (Mon–Fri)';
    case 'weekly':
      return `Weekly on ${day.toFormat('cccc')}`;
    case 'monthly':
      return `Monthly on the ${ordinal(day.day)}`;
    case 'custom':
      return 'Custom (describe it below)';
  }
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

function repeatOption(choice: RepeatChoice, fields: TaskFormFields, tz: string, now: Date): PlainTextOption {
  return { text: plain(repeatLabel(choice, fields.date, tz, now)), value: choice };
}

function previewText(preview: FormPreview, tz: string): string {
  if (!preview) return `_No date or time: a to-do without a reminder._ Times are in ${escapeText(tz)}.`;
  if ('problem' in preview) return `:warning: ${escapeText(preview.problem)}`;
  const heading = preview.runs.length > 1 ? '*Next runs*' : '*Reminder*';
  return `${heading} (${escapeText(tz)})\n${preview.runs.map((run) => `• ${run}`).join('\n')}`;
}

/**
 * The New / Edit task modal. The date, time and repeat inputs dispatch their changes, so the
 * preview of the next runs is rebuilt as the person edits; validation errors come back through
 * `response_action: errors` on the blocks named in FormBlocks.
 */
export function buildTaskForm(
  fields: TaskFormFields,
  meta: TaskFormMeta,
  context: { tz: string; now: Date; preview: FormPreview },
): ModalView {
  const { tz, now } = context;
  const titleInput: InputBlock = {
    type: 'input',
    block_id: FormBlocks.title,
    label: plain('Task'),
    element: {
      type: 'plain_text_input',
      action_id: FormInputs.title,
      max_length: MAX_FORM_TITLE,
      placeholder: plain('Send the weekly report'),
      ...(fields.title ? { initial_value: truncate(fields.title, MAX_FORM_TITLE) } : {}),
    },
  };
  const blocks: KnownBlock[] = [
    titleInput,
    {
      type: 'input',
      block_id: FormBlocks.notes,
      optional: true,
      label: plain('Notes'),
      element: {
        type: 'plain_text_input',
        action_id: FormInputs.notes,
        multiline: true,
        max_length: MAX_FORM_NOTES,
        ...(fields.notes ? { initial_value: truncate(fields.notes, MAX_FORM_NOTES) } : {}),
      },
    },
    {
      type: 'input',
      block_id: FormBlocks.assignees,
      optional: true,
      label: plain('Assign to'),
      hint: plain('Nobody: the task is yours.'),
      element: {
        type: 'multi_users_select',
        action_id: FormInputs.assignees,
        // Every assignee, however many: a cut list would drop the rest on save.
        ...(fields.assignees.length > 0 ? { initial_users: fields.assignees } : {}),
      },
    },
    {
      type: 'input',
      block_id: FormBlocks.channel,
      optional: true,
      label: plain('Post reminders in'),
      hint: plain('Empty: reminders come by direct message.'),
      element: {
        type: 'conversations_select',
        action_id: FormInputs.channel,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(fields.channelId ? { initial_conversation: fields.channelId } : {}),
      },
    },
    {
      type: 'input',
      block_id: FormBlocks.date,
      optional: true,
      dispatch_action: true,
      label: plain('Date'),
      element: {
        type: 'datepicker',
        action_id: FormInputs.date,
        ...(fields.date ? { initial_date: fields.date } : {}),
      },
    },
    {
      type: 'input',
      block_id: FormBlocks.time,
      optional: true,
      dispatch_action: true,
      label: plain('Time'),
      hint: plain(`In your time zone, ${tz}. A date with no time is 09:00.`),
      element: {
        type: 'timepicker',
        action_id: FormInputs.time,
        ...(fields.time ? { initial_time: fields.time } : {}),
      },
    },
    {
      type: 'input',
      block_id: FormBlocks.repeat,
      dispatch_action: true,
      label: plain('Repeat'),
      element: {
        type: 'static_select',
        action_id: FormInputs.repeat,
        options: REPEAT_CHOICES.map((choice) => repeatOption(choice, fields, tz, now)),
        initial_option: repeatOption(fields.repeat, fields, tz, now),
      },
    },
    {
      type: 'input',
      block_id: FormBlocks.customRepeat,
      optional: true,
      dispatch_action: true,
      label: plain('Custom repeat'),
      hint: plain('With Repeat set to Custom: "every other Tuesday at 10am", "on the last Friday of each month".'),
      element: {
        type: 'plain_text_input',
        action_id: FormInputs.customRepeat,
        max_length: 200,
        dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] },
        ...(fields.customRepeat ? { initial_value: fields.customRepeat.slice(0, 200) } : {}),
      },
    },
    {
      type: 'context',
      block_id: FormBlocks.preview,
      elements: [{ type: 'mrkdwn', text: truncate(previewText(context.preview, tz), 3000) }],
    },
  ];
  const title = meta.mode === 'edit' ? `Edit task #${meta.number ?? ''}` : 'New task';
  if (meta.permalink) {
    blocks.splice(1, 0, {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `From <${meta.permalink}|this message>` }],
    });
  }
  return {
    type: 'modal',
    callback_id: CallbackIds.taskForm,
    title: plain(truncate(title, 24)),
    submit: plain(meta.mode === 'edit' ? 'Save' : 'Create'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(meta),
    blocks,
  };
}
