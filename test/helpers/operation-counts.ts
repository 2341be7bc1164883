// The four hot paths of issue 15, each driven as a person drives it, with the database commands
// each one issued: a create (`/task remind me to … tomorrow at 9am`, its reminder job and the
// background work it starts), `/task list`, a reminder firing and a Done click on that reminder.
// Shared by the command-count test and `npm run bench`; no jest here.
import type { Connection } from 'mongoose';
import { taskModel } from '../../src/db/models/task';
import type { Services } from '../../src/services';
import type { CommandCounter, RecordedCommand } from './command-counter';
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
 * One pass to warm the caches (profiles, the revoked-workspace check), then the measured pass:
 * each operation's commands, from its request to the end of the background work it started.
 */
export async function measureOperations(
  driver: OperationDriver,
  user: string,
): Promise<Record<Operation, RecordedCommand[]>> {
  await pass(driver, user);
  return pass(driver, user);
}
