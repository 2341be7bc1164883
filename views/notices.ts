import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from './help';
import { ActionIds } from './ids';
import { escapeText, formatWhen, SECTION_LIMIT, type TaskSummary, titleText, truncate } from './task';
import { doneSnoozeEdit } from './task-actions';

/** Done / Snooze / Edit on a notice: the person's own actions, not a reminder's. */
const taskActions = (task: TaskSummary) =>
  doneSnoozeEdit(task, { blockId: 'task_notice_actions', done: ActionIds.taskDone, snooze: ActionIds.taskSnooze });

function details(task: TaskSummary, tz: string): string[] {
  const lines: string[] = [];
  const due = task.nextFireAt ?? task.dueAt;
  if (due) lines.push(`*When:* ${formatWhen(due, tz)} (${escapeText(tz)})`);
  if (task.recurrenceText) lines.push(`*Repeats:* ${truncate(escapeText(task.recurrenceText), 500)}`);
  if (task.permalink) lines.push(`<${task.permalink}|From this message>`);
  return lines;
}

/** To someone a task was just given to. */
export function buildAssigned(task: TaskSummary, context: { byId: string; tz: string }): SlackMessage {
  const lines = [
    `:inbox_tray: <@${context.byId}> assigned you *#${task.number}* ${truncate(titleText(task.title), 1500)}`,
    ...details(task, context.tz),
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SECTION_LIMIT) } },
    taskActions(task),
  ];
  return { text: `New task for you: #${task.number} ${truncate(task.title, 200)}`, blocks };
}

/** In a task's channel, when the task is made there. */
export function buildChannelTask(task: TaskSummary, context: { tz: string }): SlackMessage {
  const people = task.assignees.length > 0 ? task.assignees.map((id) => `<@${id}>`).join(', ') : `<@${task.creatorId}>`;
  const lines = [
    `:memo: New task *#${task.number}* ${truncate(titleText(task.title), 1500)}`,
    `*Who:* ${people} · made by <@${task.creatorId}>`,
    ...details(task, context.tz),
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SECTION_LIMIT) } },
    taskActions(task),
  ];
  return { text: `New task #${task.number}: ${truncate(task.title, 200)}`, blocks };
}

/** To a task's creator when someone else finished or deleted it. */
export function buildCreatorNotice(
  task: TaskSummary,
  change: 'done' | 'deleted' | 'stopped',
  context: { actorId: string; tz: string; at: Date },
): SlackMessage {
  const verb = change === 'done' ? 'completed' : change === 'deleted' ? 'deleted' : 'ended the series';
  const icon = change === 'done' ? ':white_check_mark:' : change === 'deleted' ? ':wastebasket:' : ':stop_sign:';
  const text = `${icon} <@${context.actorId}> ${verb} *#${task.number}* ~${truncate(titleText(task.title), 1500)}~ on ${formatWhen(context.at, context.tz)}`;
  return {
    text: `#${task.number} ${verb} by a teammate`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}
