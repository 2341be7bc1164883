import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from './help';
import { ActionIds } from './ids';
import { escapeText, formatWhen, type TaskSummary, titleText, truncate } from './task';
import { doneSnoozeEdit } from './task-actions';

export interface ReminderContext {
  tz: string;
  /** The occurrence being reminded of. */
  occurrence: Date;
  /** The fire time this message was posted for (a snooze's or the occurrence's): its buttons carry it. */
  firedAt: Date;
  /** Set when the occurrence came due while TaskPilot was down. */
  missed: { count: number } | null;
  /** A snoozed reminder coming back, or a nag repeating. */
  repeat: boolean;
}

/** The reminder itself: what, when it was due, and Done / Snooze / Edit. */
export function buildReminder(task: TaskSummary, context: ReminderContext): SlackMessage {
  const lines = [`:alarm_clock: *Reminder:* *#${task.number}* ${truncate(titleText(task.title), 1500)}`];
  const due = formatWhen(context.occurrence, context.tz);
  if (context.missed) {
    const more =
      context.missed.count > 1 ? ` (${context.missed.count} occurrences missed; this is the only reminder)` : '';
    lines.push(`:hourglass: _Missed while TaskPilot was down — due ${due}_${more}`);
  } else if (context.repeat) {
    lines.push(`_Again, as asked — first due ${due}_`);
  }
  if (task.recurrenceText) lines.push(`:repeat: ${escapeText(task.recurrenceText)}`);
  if (task.nagMinutes) lines.push(`_I'll remind you every ${task.nagMinutes} minutes until it's done._`);
  if (task.permalink) lines.push(`<${task.permalink}|From this message>`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    doneSnoozeEdit(task, {
      blockId: 'reminder_actions',
      done: ActionIds.reminderDone,
      snooze: ActionIds.reminderSnooze,
      firedAt: context.firedAt,
    }),
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Due ${due} (${escapeText(context.tz)})` }],
    },
  ];
  const prefix = context.missed ? 'Missed reminder' : 'Reminder';
  return { text: `${prefix}: #${task.number} ${truncate(task.title, 200)}`, blocks };
}

/** Told to the task's creator when its reminder could not be posted where the task says. */
export function buildDeliveryProblem(task: TaskSummary, channel: string, reason: string): SlackMessage {
  const why =
    reason === 'not_in_channel'
      ? `I'm not a member of <#${channel}>. Invite me there with \`/invite @TaskPilot\`,`
      : reason === 'is_archived' || reason === 'channel_is_archived'
        ? `<#${channel}> is archived, so I can't post there. Unarchive it,`
        : `I can't find the channel \`${escapeText(channel)}\` any more (it may have been deleted). Use`;
  const text = `:warning: The reminder for *#${task.number}* ${truncate(titleText(task.title), 500)} could not be posted. ${why} or move the task with \`/task edit ${task.number} …\`. Here it is instead.`;
  return {
    text: `Reminder #${task.number} could not be posted in its channel`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

/** Told once to workspace admins when a job exhausted its retries. */
export function buildDeadLetterNotice(what: string, error: string, id: string): SlackMessage {
  const text = `:rotating_light: ${escapeText(what)} failed after every retry (${escapeText(truncate(error, 300))}). It is kept in TaskPilot's dead-letter queue as \`${id}\`; an operator can run \`taskpilot dlq retry ${id}\` once the cause is fixed.`;
  return {
    text: `TaskPilot: ${truncate(what, 150)} failed`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

/** The morning digest: today's and overdue tasks, in due order. */
export function buildDigest(tasks: TaskSummary[], context: { tz: string; now: Date; dayLabel: string }): SlackMessage {
  const header: KnownBlock = {
    type: 'header',
    text: { type: 'plain_text', text: `Your tasks for ${context.dayLabel}` },
  };
  if (tasks.length === 0) {
    return {
      text: `Nothing due ${context.dayLabel}`,
      blocks: [header, { type: 'section', text: { type: 'mrkdwn', text: 'Nothing due today. :sunny:' } }],
    };
  }
  const rows = tasks.slice(0, 30).map((task) => {
    const due = task.nextFireAt ?? task.dueAt;
    const overdue = due && due < context.now ? ' :warning: overdue' : '';
    const when = due ? ` — ${formatWhen(due, context.tz)}${overdue}` : '';
    return `• *#${task.number}* ${truncate(titleText(task.title), 200)}${when}`;
  });
  const blocks: KnownBlock[] = [header];
  for (let index = 0; index < rows.length; index += 10) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: rows.slice(index, index + 10).join('\n') } });
  }
  const more = tasks.length > 30 ? ` …and ${tasks.length - 30} more (\`/task list\`).` : '';
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `\`/task digest off\` stops this message.${more}` }],
  });
  return { text: `${tasks.length} tasks for ${context.dayLabel}`, blocks };
}
