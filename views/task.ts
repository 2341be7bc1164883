import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import { DateTime } from 'luxon';
import type { SlackMessage } from './help';
import { ActionIds } from './ids';

/** What the task views show; a plain object so views stay free of the database. */
export interface TaskSummary {
  number: number;
  title: string;
  creatorId: string;
  assignees: string[];
  channelId: string | null;
  status: 'open' | 'done' | 'deleted';
  dueAt: Date | null;
  snoozedUntil: Date | null;
  recurrenceText: string | null;
  completedBy?: string | null;
  /** When the next reminder goes out; null when none is pending. */
  nextFireAt?: Date | null;
  /** For a recurring task: the occurrence the last done closed. */
  closedOccurrence?: Date | null;
  /** The last occurrence that came due while TaskPilot was down. */
  missed?: { at: Date; count: number; postedLate: boolean } | null;
  nagMinutes?: number | null;
  permalink?: string | null;
}

export interface TimeChoice {
  label: string;
  at: string;
}

const MAX_LIST_ROWS = 40;
/** Slack refuses a section's text over 3,000 characters. */
export const SECTION_LIMIT = 3000;

/** When a task next needs attention: a pending reminder, else a snooze, else its due time. */
export function dueOf(task: Pick<TaskSummary, 'nextFireAt' | 'snoozedUntil' | 'dueAt'>): Date | null {
  return task.nextFireAt ?? task.snoozedUntil ?? task.dueAt;
}

/** Slack's mrkdwn treats &, < and > as markup: escape what a person typed. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Keeps mentions the person wrote (<@U…>) working while escaping everything else. */
export function titleText(title: string): string {
  return escapeText(title).replace(/&lt;([@#][UWC][A-Z0-9]+(?:\|[^&]*)?)&gt;/g, '<$1>');
}

export const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function formatWhen(instant: Date, tz: string): string {
  return DateTime.fromJSDate(instant, { zone: tz }).toFormat('ccc d LLL yyyy, HH:mm');
}

/** Occurrences in the person's zone, with a note where the clocks change in between. */
export function formatOccurrences(occurrences: Date[], tz: string, now: Date): string[] {
  const offsetNow = DateTime.fromJSDate(now, { zone: tz }).offset;
  return occurrences.map((instant) => {
    const local = DateTime.fromJSDate(instant, { zone: tz });
    const shifted = local.offset !== offsetNow ? ` _(after the clocks change: UTC${local.toFormat('ZZ')})_` : '';
    return `${formatWhen(instant, tz)}${shifted}`;
  });
}

function who(task: TaskSummary): string {
  return task.assignees.length > 0 ? task.assignees.map((id) => `<@${id}>`).join(', ') : `<@${task.creatorId}>`;
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

export interface CreatedContext {
  tz: string;
  now: Date;
  occurrences: Date[];
  /** The request had no time: offer these instead of guessing. */
  timeChoices: TimeChoice[];
}

/** The answer to a create: how TaskPilot understood it, in the person's own terms. */
export function buildTaskCreated(task: TaskSummary, context: CreatedContext): SlackMessage {
  const lines = [`*#${task.number}* ${truncate(titleText(task.title), 1000)}`, `*Who:* ${who(task)}`];
  if (task.channelId) lines.push(`*Where:* <#${task.channelId}>`);
  if (task.recurrenceText) lines.push(`*Repeats:* ${escapeText(task.recurrenceText)}`);
  if (task.nagMinutes) lines.push(`*Nags:* every ${task.nagMinutes} minutes after the reminder, until done`);
  const occurrences = formatOccurrences(context.occurrences, context.tz, context.now);
  if (occurrences.length > 0) {
    lines.push(
      `*${occurrences.length > 1 ? 'Next runs' : 'When'}:*\n${occurrences.map((line) => `• ${line}`).join('\n')}`,
    );
  }
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), SECTION_LIMIT) } },
  ];
  if (context.timeChoices.length > 0) {
    blocks.push(
      {
        type: 'section',
        text: { type: 'mrkdwn', text: "I didn't see a time, so this is a to-do without a reminder. Want one?" },
      },
      {
        type: 'actions',
        block_id: 'task_time_choices',
        elements: context.timeChoices.map((choice, index) =>
          button(choice.label, `${ActionIds.setDuePrefix}${index}`, JSON.stringify({ n: task.number, at: choice.at })),
        ),
      },
    );
  }
  const actions: ActionsBlock = {
    type: 'actions',
    block_id: 'task_created_actions',
    elements: [
      button('Undo', ActionIds.undoCreate, String(task.number), 'danger'),
      button('Edit', ActionIds.editTask, String(task.number)),
    ],
  };
  blocks.push(actions, {
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `Times are in ${escapeText(context.tz)}. \`/task done ${task.number}\` when it's done.` },
    ],
  });
  return { text: `Task #${task.number} created: ${truncate(task.title, 200)}`, blocks };
}

export type TaskChange = 'done' | 'reopened' | 'snoozed' | 'deleted' | 'edited' | 'restored' | 'stopped';

const CHANGE_WORDS: Record<TaskChange, string> = {
  done: ':white_check_mark: Done',
  reopened: ':arrows_counterclockwise: Reopened',
  snoozed: ':zzz: Snoozed',
  deleted: ':wastebasket: Deleted',
  edited: ':pencil2: Updated',
  restored: ':leftwards_arrow_with_hook: Restored',
  stopped: ':stop_sign: Series ended',
};

/** The answer to done / reopen / snooze / delete / edit. */
export function buildTaskChanged(
  task: TaskSummary,
  change: TaskChange,
  context: { tz: string; actorId: string; at?: Date },
): SlackMessage {
  // Done on a recurring task closes one occurrence; the task itself stays open.
  const occurrenceDone = change === 'done' && task.status === 'open';
  const title =
    (change === 'done' && !occurrenceDone) || change === 'deleted' || change === 'stopped'
      ? `~${truncate(titleText(task.title), 1000)}~`
      : truncate(titleText(task.title), 1000);
  let detail = '';
  if (change === 'snoozed' && task.snoozedUntil) detail = ` until ${formatWhen(task.snoozedUntil, context.tz)}`;
  else if (change === 'edited' && task.dueAt) detail = `, next ${formatWhen(task.dueAt, context.tz)}`;
  else if (occurrenceDone) {
    const closed = task.closedOccurrence ? ` for ${formatWhen(task.closedOccurrence, context.tz)}` : '';
    const next = task.nextFireAt ? `; next ${formatWhen(task.nextFireAt, context.tz)}` : '';
    detail = `${closed}${next}`;
  }
  const by = ` by <@${context.actorId}>${context.at ? ` on ${formatWhen(context.at, context.tz)}` : ''}`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `${CHANGE_WORDS[change]}${detail}${by}: *#${task.number}* ${title}` },
    },
  ];
  if (change === 'deleted') {
    blocks.push({
      type: 'actions',
      block_id: 'task_deleted_actions',
      elements: [button('Undo', ActionIds.restoreTask, String(task.number))],
    });
  }
  return { text: `Task #${task.number} ${change}`, blocks };
}

/** Lines packed into as few sections as fit: each holds whole lines up to Slack's 3,000 characters. */
export function sectionsOf(lines: string[]): SectionBlock[] {
  const sections: SectionBlock[] = [];
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length > 0) sections.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n') } });
    chunk = [];
  };
  for (const line of lines) {
    if ([...chunk, line].join('\n').length > SECTION_LIMIT) flush();
    chunk.push(truncate(line, SECTION_LIMIT));
  }
  flush();
  return sections;
}

/** A list of tasks in due order, within Block Kit's limits. */
export function buildTaskList(tasks: TaskSummary[], context: { tz: string; now: Date; heading: string }): SlackMessage {
  if (tasks.length === 0) {
    return {
      text: `${context.heading}: nothing open`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${escapeText(context.heading)}*\nNothing open. :tada:` } },
      ],
    };
  }
  const rows = tasks.slice(0, MAX_LIST_ROWS).map((task) => {
    const due = dueOf(task);
    const overdue = due !== null && due < context.now ? ' :warning: overdue' : '';
    const missed = task.missed
      ? ` :hourglass: missed while TaskPilot was down (due ${formatWhen(task.missed.at, context.tz)}${task.missed.count > 1 ? `, ${task.missed.count} times` : ''})`
      : '';
    const when = due ? ` — ${formatWhen(due, context.tz)}${overdue}` : '';
    const repeat = task.recurrenceText ? ' :repeat:' : '';
    const people = task.assignees.length > 0 ? ` (${task.assignees.map((id) => `<@${id}>`).join(', ')})` : '';
    return `*#${task.number}* ${truncate(titleText(task.title), 200)}${people}${when}${repeat}${missed}`;
  });
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(context.heading, 150) } },
    ...sectionsOf(rows),
  ];
  if (tasks.length > MAX_LIST_ROWS) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${tasks.length - MAX_LIST_ROWS} more.` }],
    });
  }
  return { text: `${context.heading}: ${tasks.length} open`, blocks };
}
