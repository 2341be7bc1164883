// The four hot paths of issue 15, each driven as a person drives it, with the database commands
// each one issued: a create (`/task remind me to … tomorrow at 9am`, its reminder job and the
// background work it starts), `/task list`, a reminder firing and a Done click on that reminder.
// Shared by the command-count test and `npm run bench`; no jest here.
import type { Connection } from 'mongoose';
import { taskModel } from '../../src/db/models/task';
import type { FakeSlack } from '../../src/playground/fake-slack';
import { interactivityBody, postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Services } from '../../src/services';
import { ActionIds } from '../../views/ids';
import { CommandCounter, type RecordedCommand } from './command-counter';
import type { TestClock } from './reminders';

export const OPERATIONS = ['create', 'list', 'reminder', 'done'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const CREATE_TEXT = 'remind me to water the plants tomorrow at 9am';

/** How one operation reaches the app: signed requests to a running app of the web role. */
export interface OperationDriver {
  teamId: string;
  /** Its services, over a connection opened with command monitoring. */
  services: Services;
  connection: Connection;
  counter: CommandCounter;
  /** The app's clock: a firing needs its task due. */
  clock: TestClock;
  /** `/task <text>` from `user`; resolves with the answer posted to the response URL. */
  command(text: string, user: string): Promise<{ text?: string }>;
  /** Clicks Done on the last reminder posted for task `number`; resolves with the answer. */
  clickDone(number: number, user: string): Promise<{ text?: string }>;
}

/**
 * Fires a task as the dispatcher does in compose.ts (post and close the delivery, then record the
 * firing on the task, then move its Agenda job), without the dispatcher's scans and timers, which
 * would add commands of their own to whichever operation they fell into.
 */
async function fire(services: Services, taskId: string): Promise<void> {
  const sent = await services.reminders.send(taskId, { touch: async () => {} });
  const outcome = sent.kind === 'settled' ? sent.outcome : await sent.record();
  if (outcome.kind !== 'fired') throw new Error(`the reminder did not fire: ${outcome.kind}`);
  await services.reminderSchedule.afterDispatch(taskId, outcome.next);
}

async function pass(driver: OperationDriver, user: string): Promise<Record<Operation, RecordedCommand[]>> {
  const { counter, services } = driver;
  const measure = async (work: () => Promise<unknown>): Promise<RecordedCommand[]> => {
    counter.take();
    await work();
    // What the request started in the background (notices, the home tab) is part of its cost.
    await services.background.idle(30_000);
    return counter.take();
  };
  let number = 0;
  const create = await measure(async () => {
    const answer = await driver.command(CREATE_TEXT, user);
    number = Number(/#(\d+)/.exec(answer.text ?? '')?.[1]);
    if (!number) throw new Error(`the create was not confirmed: ${answer.text}`);
  });
  const list = await measure(() => driver.command('list', user));
  const task = await taskModel(driver.connection).findOne({ teamId: driver.teamId, number });
  if (!task?.nextFireAt) throw new Error(`task #${number} has no reminder`);
  driver.clock.set(new Date(task.nextFireAt.getTime() + 200));
  const reminder = await measure(() => fire(services, String(task._id)));
  const done = await measure(async () => {
    const answer = await driver.clickDone(number, user);
    if (!/done|closed|completed/i.test(answer.text ?? '')) throw new Error(`Done was not confirmed: ${answer.text}`);
  });
  return { create, list, reminder, done };
}

/**
 * One pass to warm the caches (profiles, the revoked-workspace check), then `passes` measured
 * passes: each operation's commands, from its request to the end of the background work it
 * started. With more than one pass, each operation keeps its pass with the fewest commands: the
 * caches expire on the wall clock (30 s), so a refresh can fall into any one pass, while a
 * command that grows with the data is in every pass.
 */
export async function measureOperations(
  driver: OperationDriver,
  user: string,
  passes = 1,
): Promise<Record<Operation, RecordedCommand[]>> {
  await pass(driver, user);
  let best = await pass(driver, user);
  for (let extra = 1; extra < passes; extra += 1) {
    const next = await pass(driver, user);
    best = Object.fromEntries(
      OPERATIONS.map((operation) => [
        operation,
        next[operation].length < best[operation].length ? next[operation] : best[operation],
      ]),
    ) as Record<Operation, RecordedCommand[]>;
  }
  return best;
}

/** Every interactive element's action id and value, wherever it sits in the blocks. */
function elementValues(value: unknown, found: { actionId: string; value: string }[] = []) {
  if (Array.isArray(value)) for (const item of value) elementValues(item, found);
  else if (value && typeof value === 'object') {
    const element = value as { action_id?: unknown; value?: unknown };
    if (typeof element.action_id === 'string' && typeof element.value === 'string') {
      found.push({ actionId: element.action_id, value: element.value });
    }
    for (const inner of Object.values(value)) elementValues(inner, found);
  }
  return found;
}

/** The value of the Done button on the latest reminder Slack received for task `number`. */
function reminderDoneValue(slack: FakeSlack, number: number): string | undefined {
  for (const call of slack.callsTo('chat.postMessage').reverse()) {
    const done = elementValues(call.body.blocks).find(
      (element) => element.actionId === ActionIds.reminderDone && element.value.startsWith(`${number}@`),
    );
    if (done) return done.value;
  }
  return undefined;
}

/**
 * A driver for an app of the web role serving `baseUrl`, whose Web API and response URLs are
 * `slack`, and whose services are `services` over `connection` (opened with command monitoring).
 */
export function httpDriver(input: {
  baseUrl: string;
  signingSecret: string;
  slack: FakeSlack;
  teamId: string;
  services: Services;
  connection: Connection;
  clock: TestClock;
  answerTimeoutMs?: number;
}): OperationDriver {
  const { slack } = input;
  let sent = 0;
  const answerOf = async (id: string, res: Response) => {
    if (res.status !== 200) throw new Error(`the app answered ${res.status}`);
    return (await slack.waitForResponse(id, input.answerTimeoutMs ?? 20_000)).body as { text?: string };
  };
  return {
    teamId: input.teamId,
    services: input.services,
    connection: input.connection,
    counter: CommandCounter.forConnection(input.connection),
    clock: input.clock,
    async command(text, user) {
      const id = `count-r${++sent}`;
      const body = slashCommandBody({
        text,
        user_id: user,
        team_id: input.teamId,
        response_url: slack.responseUrl(id),
      });
      const res = await postSigned(`${input.baseUrl}/slack/events`, body, 'application/x-www-form-urlencoded', {
        secret: input.signingSecret,
      });
      return answerOf(id, res);
    },
    async clickDone(number, user) {
      const value = reminderDoneValue(slack, number);
      if (!value) throw new Error(`no reminder with Done was posted for #${number}`);
      const id = `count-b${++sent}`;
      const payload = {
        type: 'block_actions',
        team: { id: input.teamId, domain: 'bench' },
        user: { id: user, team_id: input.teamId },
        api_app_id: 'A0TEST',
        trigger_id: '1.2.3',
        response_url: slack.responseUrl(id),
        actions: [{ action_ts: '1', action_id: ActionIds.reminderDone, block_id: 'b', type: 'button', value }],
      };
      const res = await postSigned(
        `${input.baseUrl}/slack/events`,
        interactivityBody(payload),
        'application/x-www-form-urlencoded',
        { secret: input.signingSecret },
      );
      return answerOf(id, res);
    },
  };
}
