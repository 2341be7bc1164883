import type { ActionsBlock, PlainTextOption } from '@slack/types';
import { SNOOZE_CHOICES } from '../src/reminders/snooze-choices';
import { ActionIds } from './ids';
import type { TaskSummary } from './task';

/**
 * Done, a Snooze menu and Edit for one task, carrying its number (so old messages keep working)
 * and, on a reminder, the fire time it was posted for, as `@<epoch ms>`. Reminders and notices use
 * different Done / Snooze ids: a reminder's Done closes the occurrence it announced, a notice's is
 * the person's own.
 */
/** A Done button's value: the task number, and on a reminder "@<epoch ms>" of its firing. */
const DONE_VALUE = /^(\d{1,9})(?:@(\d{1,15}))?$/;
/** A Snooze option's value: "<number>:<choice>", and on a reminder "@<epoch ms>" of its firing. */
const SNOOZE_VALUE = /^(\d{1,9}):([a-z0-9_]{1,20})(?:@(\d{1,15}))?$/;

export interface ClickedValue {
  number: number;
  /** The fire time a reminder's button was posted for; null on notices and on older reminders. */
  firedAt: Date | null;
}

/** Reads a Done button's value; null when it is not one of ours. */
export function parseDoneValue(value: string | undefined): ClickedValue | null {
  const match = DONE_VALUE.exec(value ?? '');
  if (!match?.[1]) return null;
  return { number: Number(match[1]), firedAt: match[2] ? new Date(Number(match[2])) : null };
}

/** Reads a Snooze option's value; null when it is not one of ours. */
export function parseSnoozeValue(value: string | undefined): (ClickedValue & { choice: string }) | null {
  const match = SNOOZE_VALUE.exec(value ?? '');
  if (!match?.[1] || !match[2]) return null;
  return { number: Number(match[1]), choice: match[2], firedAt: match[3] ? new Date(Number(match[3])) : null };
}

export function doneSnoozeEdit(
  task: Pick<TaskSummary, 'number'>,
  ids: { blockId: string; done: string; snooze: string; firedAt?: Date },
): ActionsBlock {
  const firing = ids.firedAt ? `@${ids.firedAt.getTime()}` : '';
  const options: PlainTextOption[] = SNOOZE_CHOICES.map((choice) => ({
    text: { type: 'plain_text', text: choice.label },
    value: `${task.number}:${choice.id}${firing}`,
  }));
  return {
    type: 'actions',
    block_id: ids.blockId,
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Done', emoji: true },
        style: 'primary',
        action_id: ids.done,
        value: `${task.number}${firing}`,
      },
      { type: 'static_select', placeholder: { type: 'plain_text', text: 'Snooze…' }, action_id: ids.snooze, options },
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Edit', emoji: true },
        action_id: ActionIds.editTask,
        value: String(task.number),
      },
    ],
  };
}
