import type { HomeView, KnownBlock, Overflow, SectionBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { ActionIds } from './ids';
import { dueOf, escapeText, formatWhen, sectionsOf, type TaskSummary, titleText, truncate } from './task';

/** What the home tab shows one person; gathered by the home service, so this stays pure. */
export interface HomeData {
  userId: string;
  tz: string;
  now: Date;
  /** My open tasks (assigned to me, or mine with nobody assigned), in due order. */
  mine: TaskSummary[];
  /** Tasks I made for other people, open or done. */
  assigned: TaskSummary[];
  /** Which page of `mine` to show, from 0. */
  page: number;
  /** Workspace admins only: this month's parser usage against the budget. */
  usage?: { month: string; calls: number; costUsd: number; budgetUsd: number } | null;
}

export const HOME_PAGE_SIZE = 20;
const MAX_ASSIGNED_ROWS = 15;
const MAX_RECURRING_ROWS = 10;
const ROW_TITLE_CHARS = 200;

const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** One task as a line: number, title, people, when, and the marks that need attention. */
function taskLine(task: TaskSummary, data: HomeData, options: { people: boolean }): string {
  const due = dueOf(task);
  const parts = [`*#${task.number}* ${truncate(titleText(task.title), ROW_TITLE_CHARS)}`];
  if (options.people && task.assignees.length > 0) {
    parts.push(`→ ${task.assignees.map((id) => `<@${id}>`).join(', ')}`);
  }
  if (task.status === 'done') parts.push('— :white_check_mark: done');
  else if (due) {
    const overdue = due < data.now ? ' :warning: *overdue*' : '';
    parts.push(`— ${formatWhen(due, data.tz)}${overdue}`);
  }
  if (task.recurrenceText) parts.push(':repeat:');
  if (task.missed) {
    const times = task.missed.count > 1 ? `, ${task.missed.count} times` : '';
    parts.push(`\n:hourglass: _missed while TaskPilot was down (due ${formatWhen(task.missed.at, data.tz)}${times})_`);
  }
  return parts.join(' ');
}

/** The per-task menu: Done, Snooze and Edit, carrying the task number only. */
function taskMenu(task: TaskSummary): Overflow {
  const option = (text: string, value: string) => ({ text: { type: 'plain_text' as const, text }, value });
  return {
    type: 'overflow',
    action_id: `${ActionIds.taskMenuPrefix}${task.number}`,
    options: [
      option('Done', `done:${task.number}`),
      option('Snooze 1 hour', `snooze:${task.number}:1h`),
      option('Snooze until tomorrow 09:00', `snooze:${task.number}:tomorrow`),
      option('Edit…', `edit:${task.number}`),
    ],
  };
}

function button(text: string, actionId: string, value: string, style?: 'primary') {
  return {
    type: 'button' as const,
    text: { type: 'plain_text' as const, text, emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

function myTasks(data: HomeData): KnownBlock[] {
  const pages = Math.max(1, Math.ceil(data.mine.length / HOME_PAGE_SIZE));
  const page = Math.min(Math.max(0, data.page), pages - 1);
  const shown = data.mine.slice(page * HOME_PAGE_SIZE, (page + 1) * HOME_PAGE_SIZE);
  const overdue = data.mine.filter((task) => {
    const due = dueOf(task);
    return due !== null && due < data.now;
  }).length;
  const counts = overdue > 0 ? `${data.mine.length} open, ${overdue} overdue` : `${data.mine.length} open`;
  const blocks: KnownBlock[] = [section(`*Your tasks* · ${counts}`)];
  if (shown.length === 0) {
    blocks.push(section('Nothing open. :tada: Create one with the button above or `/task`.'));
    return blocks;
  }
  for (const task of shown) {
    blocks.push({ ...section(taskLine(task, data, { people: false })), accessory: taskMenu(task) });
  }
  if (pages > 1) {
    const elements = [];
    if (page + 1 < pages) {
      const left = data.mine.length - (page + 1) * HOME_PAGE_SIZE;
      elements.push(button(`Show more (${left})`, ActionIds.homeNextPage, String(page + 1)));
    }
    if (page > 0) elements.push(button('Back to the first', ActionIds.homeFirstPage, '0'));
    blocks.push({ type: 'actions', block_id: 'home_paging', elements });
  }
  return blocks;
}

function assignedTasks(data: HomeData): KnownBlock[] {
  if (data.assigned.length === 0) return [];
  const rows = data.assigned.slice(0, MAX_ASSIGNED_ROWS).map((task) => taskLine(task, data, { people: true }));
  const blocks: KnownBlock[] = [
    { type: 'divider' },
    section(`*You asked others* · ${data.assigned.length}`),
    ...sectionsOf(rows),
  ];
  if (data.assigned.length > MAX_ASSIGNED_ROWS) {
    blocks.push(more(data.assigned.length - MAX_ASSIGNED_ROWS, '/task list assigned'));
  }
  return blocks;
}

function recurringTasks(data: HomeData): KnownBlock[] {
  const recurring = data.mine
    .filter((task) => task.recurrenceText && task.nextFireAt)
    .sort((a, b) => (a.nextFireAt?.getTime() ?? 0) - (b.nextFireAt?.getTime() ?? 0));
  if (recurring.length === 0) return [];
  const rows = recurring
    .slice(0, MAX_RECURRING_ROWS)
    .map(
      (task) =>
        `:repeat: *#${task.number}* ${truncate(titleText(task.title), ROW_TITLE_CHARS)} — ${escapeText(task.recurrenceText ?? '')} — next ${formatWhen(task.nextFireAt as Date, data.tz)}`,
    );
  const blocks: KnownBlock[] = [{ type: 'divider' }, section('*Upcoming recurring reminders*'), ...sectionsOf(rows)];
  if (recurring.length > MAX_RECURRING_ROWS) blocks.push(more(recurring.length - MAX_RECURRING_ROWS, '/task list'));
  return blocks;
}

function more(count: number, command: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${count} more: \`${command}\`` }] };
}

function usageBlocks(data: HomeData): KnownBlock[] {
  if (!data.usage) return [];
  const { calls, costUsd, budgetUsd, month } = data.usage;
  const share = budgetUsd > 0 ? Math.round((costUsd / budgetUsd) * 100) : 0;
  const warning = costUsd >= budgetUsd ? ' :warning: over budget: plain-language parsing uses the built-in parser' : '';
  return [
    { type: 'divider' },
    section(
      `*Workspace usage* (admins) · ${month}\n${calls} OpenAI calls · $${costUsd.toFixed(4)} of $${budgetUsd.toFixed(2)} (${share} %)${warning}`,
    ),
  ];
}

/**
 * The home tab: my open tasks in due order (overdue and missed ones marked, each with Done /
 * Snooze / Edit), what I asked others to do, my recurring reminders, and for admins the
 * workspace's usage. It stays under Block Kit's 100 blocks by paging my tasks.
 */
export function buildHome(data: HomeData): HomeView {
  const updated = DateTime.fromJSDate(data.now, { zone: data.tz }).toFormat('ccc d LLL, HH:mm');
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'TaskPilot', emoji: true } },
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: [button('New task', ActionIds.openNewTask, 'home', 'primary')],
    },
    ...myTasks(data),
    ...recurringTasks(data),
    ...assignedTasks(data),
    ...usageBlocks(data),
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `Times are in ${escapeText(data.tz)} · updated ${updated} · \`/task help\` for more` },
      ],
    },
  ];
  return { type: 'home', blocks };
}
