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
