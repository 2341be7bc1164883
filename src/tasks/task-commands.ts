import { DateTime } from 'luxon';
import { buildHelpMessage, type SlackMessage } from '../../views/help';
import {
  buildTaskChanged,
  buildTaskCreated,
  buildTaskList,
  formatWhen,
  type TaskSummary,
  type TimeChoice,
} from '../../views/task';
import { type AgentCommandDeps, runAgentSettings, startAgentRequest } from '../agent/agent-commands';
import type { AgentPolicy } from '../agent/agent-policy';
import type { AgentRuns } from '../agent/agent-runs';
import { isConnectionError } from '../db/connection';
import type { TaskDocument } from '../db/models/task';
import { WriteOutcomeUnknownError } from '../db/write-retry';
import { ErrorCode, TaskPilotError, UserInputError } from '../errors';
import { describeRule } from '../parse/describe';
import { extractNag, parseNagSetting } from '../parse/nag';
import type { RequestParser } from '../parse/request-parser';
import type { ParseResult } from '../parse/types';
import type { DigestService } from '../reminders/digest-service';
import { type CommandContext, taskSourceOf } from './command-context';
import type { Actor, ListQuery, TaskService } from './task-service';

export function toSummary(task: TaskDocument): TaskSummary {
  return {
    number: task.number,
    title: task.title,
    creatorId: task.creatorId,
    assignees: [...task.assignees],
    channelId: task.channelId,
    status: task.status,
    dueAt: task.dueAt,
    snoozedUntil: task.snoozedUntil,
    recurrenceText: task.recurrence ? describeRule(task.recurrence.rrule, task.recurrence.tz) : null,
    completedBy: task.completedBy,
    nextFireAt: task.nextFireAt,
    closedOccurrence: task.closedOccurrence,
    missed: task.missed,
    nagMinutes: task.nagMinutes,
    permalink: task.source.permalink,
  };
}

/** Ways to add a time to a task that had none; only choices still ahead are offered. */
export function timeChoices(now: Date, tz: string): TimeChoice[] {
  const local = DateTime.fromJSDate(now, { zone: tz });
  const choices: { label: string; at: DateTime }[] = [];
  const evening = local.set({ hour: 18, minute: 0, second: 0, millisecond: 0 });
  if (evening > local) choices.push({ label: 'This evening 18:00', at: evening });
  choices.push({
    label: 'Tomorrow 09:00',
    at: local.plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 }),
  });
  const monday = local
    .plus({ days: (8 - local.weekday) % 7 || 7 })
    .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  choices.push({ label: `${monday.toFormat('ccc d LLL')} 09:00`, at: monday });
  return choices.map(({ label, at }) => ({ label, at: at.toUTC().toISO() ?? '' }));
}

const TASK_NUMBER = /^#?(\d{1,9})$/;

function taskNumber(word: string | undefined, verb: string, command: string): number {
  const match = TASK_NUMBER.exec(word ?? '');
  if (!match?.[1]) {
    throw new UserInputError(
      `Which task? Give its number, e.g. \`${command} ${verb} 42\` (\`${command} list\` shows them).`,
    );
  }
  return Number(match[1]);
}

function listQuery(args: string, context: CommandContext): { query: ListQuery; heading: string } {
  const base = { teamId: context.teamId, userId: context.userId };
  const user = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(args);
  const channel = /^<#(C[A-Z0-9]+)(?:\|[^>]*)?>$/.exec(args);
  if (user?.[1]) return { query: { ...base, scope: 'mine', otherUserId: user[1] }, heading: 'Their open tasks' };
  if (channel?.[1])
    return { query: { ...base, scope: 'channel', channelId: channel[1] }, heading: 'Tasks in that channel' };
  if (/^(here|channel)$/i.test(args)) {
    return { query: { ...base, scope: 'channel', channelId: context.channelId }, heading: 'Tasks in this channel' };
  }
  if (/^all$/i.test(args)) return { query: { ...base, scope: 'all' }, heading: 'All open tasks in this workspace' };
  if (/^(assigned|by me|others|delegated)$/i.test(args)) {
    return { query: { ...base, scope: 'assigned_by_me' }, heading: 'Tasks you assigned to others' };
  }
  if (args === '' || /^(mine|my|me)$/i.test(args))
    return { query: { ...base, scope: 'mine' }, heading: 'Your open tasks' };
  throw new UserInputError(
    `I can list \`mine\`, \`all\`, \`assigned\`, \`here\`, a person (@name) or a channel (#channel), not "${args.slice(0, 80)}".`,
  );
}

/**
 * Runs one `/task …` request and returns the answer to show. Verbs are read first (`list`,
 * `done 42`…); anything else is a new task in plain language.
 */
export interface CommandDeps {
  tasks: TaskService;
  parser: RequestParser;
  digests: DigestService;
  /** Agent runs (`/task run …`, `/task agents`); without them those answer that they are off. */
  agentRuns?: AgentRuns;
  agentPolicy?: AgentPolicy;
}

function agentDeps(deps: CommandDeps): AgentCommandDeps {
  if (!deps.agentRuns || !deps.agentPolicy) throw new UserInputError(AGENTS_OFF);
  return { tasks: deps.tasks, agentRuns: deps.agentRuns, agentPolicy: deps.agentPolicy };
}

const AGENTS_OFF = 'Agent runs are not switched on for this TaskPilot.';

const reply = (text: string): SlackMessage => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

export async function runTaskCommand(context: CommandContext, deps: CommandDeps): Promise<SlackMessage> {
  const { tasks } = deps;
  const text = context.text.trim();
  const [first = '', ...restWords] = text.split(/\s+/);
  const verb = first.toLowerCase();
  const rest = restWords.join(' ');
  const actor: Actor = { teamId: context.teamId, userId: context.userId, isAdmin: context.isAdmin };
  const parse = (input: string): Promise<ParseResult> =>
    deps.parser.parse(input, { now: context.now, tz: context.tz, teamId: context.teamId });
  const changed = (task: TaskDocument, change: Parameters<typeof buildTaskChanged>[1]) =>
    buildTaskChanged(toSummary(task), change, { tz: context.tz, actorId: context.userId });

  switch (verb) {
    case '':
    case 'help':
      return buildHelpMessage(context.command);
    case 'list':
    case 'ls': {
      const { query, heading } = listQuery(rest.trim(), context);
      const found = await tasks.list(query);
      return buildTaskList(found.map(toSummary), { tz: context.tz, now: context.now, heading });
    }
    case 'done':
    case 'complete':
    case 'finish':
      return changed(await tasks.complete(actor, taskNumber(restWords[0], verb, context.command)), 'done');
    case 'reopen':
    case 'undone':
      return changed(await tasks.reopen(actor, taskNumber(restWords[0], verb, context.command)), 'reopened');
    case 'delete':
    case 'remove':
    case 'cancel':
      return changed(await tasks.remove(actor, taskNumber(restWords[0], verb, context.command)), 'deleted');
    case 'snooze': {
      const number = taskNumber(restWords[0], verb, context.command);
      const { dueAt } = await parse(`snooze ${number} ${restWords.slice(1).join(' ')}`);
      if (!dueAt) {
        throw new UserInputError(
          `Until when? e.g. \`${context.command} snooze ${number} 1 hour\` or \`… until tomorrow 9am\`.`,
        );
      }
      return changed(await tasks.snooze(actor, number, new Date(dueAt)), 'snoozed');
    }
    case 'stop':
    case 'end':
      return changed(await tasks.stop(actor, taskNumber(restWords[0], verb, context.command)), 'stopped');
    case 'nag': {
      const number = taskNumber(restWords[0], verb, context.command);
      const minutes = parseNagSetting(restWords.slice(1).join(' '));
      if (minutes === undefined) {
        throw new UserInputError(
          `How often? e.g. \`${context.command} nag ${number} every 30 minutes\`, or \`… off\`.`,
        );
      }
      const task = await tasks.setNag(actor, number, minutes);
      return reply(
        minutes === null
          ? `OK, no more nagging about *#${task.number}*.`
          : `OK, after each reminder for *#${task.number}* I'll remind you again every ${minutes} minutes until it's done.`,
      );
    }
    case 'missed': {
      const number = taskNumber(restWords[0], verb, context.command);
      const policy = restWords[1]?.toLowerCase();
      if (policy !== 'late' && policy !== 'skip') {
        throw new UserInputError(
          `Say \`${context.command} missed ${number} late\` (a reminder missed while TaskPilot was down is sent once, late) or \`… skip\` (it is not sent).`,
        );
      }
      const task = await tasks.setMissedPolicy(actor, number, policy);
      return reply(
        policy === 'late'
          ? `OK: if a reminder for *#${task.number}* is missed while TaskPilot is down, I'll send it once, late, marked as missed.`
          : `OK: if a reminder for *#${task.number}* is missed while TaskPilot is down, I'll skip it and show it as missed in your list.`,
      );
    }
    case 'digest': {
      const setting = restWords[0]?.toLowerCase();
      if (setting !== 'on' && setting !== 'off') {
        throw new UserInputError(
          `\`${context.command} digest on\` sends you a 09:00 summary of the day's tasks; \`… off\` stops it.`,
        );
      }
      const next = await deps.digests.set(context.teamId, context.userId, setting === 'on', context.tz);
      return reply(
        next
          ? `Morning digest on: every day at 09:00 (${context.tz}), first on ${formatWhen(next, context.tz)}.`
          : 'Morning digest off.',
      );
    }
    case 'agents':
      return runAgentSettings(context, rest, agentDeps(deps));
    case 'edit': {
      const number = taskNumber(restWords[0], verb, context.command);
      const change = restWords.slice(1).join(' ');
      if (!change)
        throw new UserInputError(`What should change? e.g. \`${context.command} edit ${number} call Mom at 6pm\`.`);
      const parsed = await parse(change);
      const edits = {
        ...(parsed.title ? { title: parsed.title } : {}),
        ...(parsed.dueAt ? { dueAt: new Date(parsed.dueAt), recurrence: parsed.recurrence } : {}),
      };
      if (Object.keys(edits).length === 0) throw new UserInputError('I could not find a new title or time in that.');
      return changed(await tasks.edit(actor, number, edits), 'edited');
    }
    default:
      return createFromText(text, context, deps, parse);
  }
}

/**
 * A create the database did not take, as the person should hear it (the global error handler
 * sends it to the response URL and logs it): not saved, or, when the connection dropped with the
 * insert on the wire, perhaps saved.
 */
export function notSaved(error: unknown, command: string): unknown {
  if (error instanceof WriteOutcomeUnknownError) {
    return new TaskPilotError(
      ErrorCode.DatabaseUnavailable,
      error.message,
      `I lost touch with the database while saving that, so I can't tell whether it was saved. \`${command} list\` shows it if it was; if not, please try again.`,
      { cause: error },
    );
  }
  if (isConnectionError(error)) {
    return new TaskPilotError(
      ErrorCode.DatabaseUnavailable,
      `task not saved: ${(error as Error).message}`,
      "I couldn't save that — the database didn't answer. Please try again in a moment.",
      { cause: error },
    );
  }
  return error;
}

async function createFromText(
  original: string,
  context: CommandContext,
  deps: CommandDeps,
  parse: (input: string) => Promise<ParseResult>,
): Promise<SlackMessage> {
  const nag = extractNag(original);
  const text = nag.text;
  const parsed = await parse(text);
  const { tasks } = deps;
  switch (parsed.intent) {
    case 'help':
      return buildHelpMessage(context.command);
    case 'list_tasks':
      return runTaskCommand({ ...context, text: 'list' }, deps);
    // Other phrasings of the verbs ("finished #4", "postpone 4 until Monday") take the verb path.
    case 'complete_task':
      return runTaskCommand({ ...context, text: `done ${parsed.taskRef}` }, deps);
    case 'delete_task':
      return runTaskCommand({ ...context, text: `delete ${parsed.taskRef}` }, deps);
    case 'snooze_task':
      return runTaskCommand({ ...context, text: `snooze ${text.replace(/^\S+\s*/, '')}` }, deps);
    case 'run_agent': {
      const started = await startAgentRequest(context, original, parsed, agentDeps(deps));
      if ('message' in started) return started.message;
      return buildTaskCreated(toSummary(started.scheduled), {
        tz: context.tz,
        now: context.now,
        occurrences: parsed.occurrences.map((instant) => new Date(instant)),
        timeChoices: [],
      });
    }
    case 'create_task':
      break;
  }
  if (!parsed.title) {
    throw new UserInputError(
      parsed.dueAt
        ? `I see a time but not what to do. Try \`${context.command} call Mom tomorrow at 5pm\`.`
        : `What should the task be? Try \`${context.command} call Mom tomorrow at 5pm\`.`,
    );
  }
  // Nagging with no time given starts one interval from now.
  const dueAt = parsed.dueAt
    ? new Date(parsed.dueAt)
    : nag.minutes
      ? new Date(context.now.getTime() + nag.minutes * 60_000)
      : null;
  const task = await tasks
    .create({
      teamId: context.teamId,
      creatorId: context.userId,
      title: parsed.title,
      assignees: parsed.assignees,
      channelId: parsed.channel,
      dueAt,
      nagMinutes: nag.minutes,
      tz: context.tz,
      recurrence: parsed.recurrence,
      source: taskSourceOf(context),
    })
    .catch((error: unknown) => {
      throw notSaved(error, context.command);
    });
  return buildTaskCreated(toSummary(task), {
    tz: context.tz,
    now: context.now,
    occurrences: dueAt && !parsed.dueAt ? [dueAt] : parsed.occurrences.map((instant) => new Date(instant)),
    timeChoices: dueAt ? [] : timeChoices(context.now, context.tz),
  });
}
