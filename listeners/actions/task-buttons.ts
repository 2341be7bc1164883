import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  BlockStaticSelectAction,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import { z } from 'zod';
import type { TaskDocument } from '../../src/db/models/task';
import { UserInputError } from '../../src/errors';
import { isSnoozeChoice, snoozeUntil } from '../../src/reminders/snooze-choices';
import type { Services } from '../../src/services';
import { toSummary } from '../../src/tasks/task-commands';
import type { Actor } from '../../src/tasks/task-service';
import { buildTaskChanged, type TaskChange } from '../../views/task';
import { parseDoneValue, parseSnoozeValue } from '../../views/task-actions';
import { numberFrom, whoClicked } from './who-clicked';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;
type SelectArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockStaticSelectAction>;

const DueChoice = z.object({ n: z.number().int().positive(), at: z.iso.datetime() });

/** A button that changes one task and replaces its message with the outcome. */
function taskButton(
  services: Services,
  change: TaskChange,
  apply: (actor: Actor, value: string | undefined) => Promise<TaskDocument>,
) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const { actor, tz } = await whoClicked(args, services);
    const task = await apply(actor, args.action.value);
    await args.respond({
      replace_original: true,
      ...buildTaskChanged(toSummary(task), change, { tz, actorId: actor.userId, at: services.now() }),
    });
  };
}

export const undoCreate = (services: Services) =>
  taskButton(services, 'deleted', (actor, value) => services.tasks.remove(actor, numberFrom(value)));

export const restoreTask = (services: Services) =>
  taskButton(services, 'restored', (actor, value) => services.tasks.restore(actor, numberFrom(value)));

export function setDue(services: Services) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    let choice: z.infer<typeof DueChoice>;
    try {
      choice = DueChoice.parse(JSON.parse(args.action.value ?? ''));
    } catch {
      throw new UserInputError('That button no longer points at a time.');
    }
    const { actor, tz } = await whoClicked(args, services);
    const task = await services.tasks.edit(actor, choice.n, { dueAt: new Date(choice.at) });
    await args.respond({
      replace_original: true,
      ...buildTaskChanged(toSummary(task), 'edited', { tz, actorId: actor.userId }),
    });
  };
}

/** Done on a reminder: the message is replaced in place with who closed it and when. */
export const reminderDone = (services: Services) =>
  taskButton(services, 'done', (actor, value) => {
    const clicked = parseDoneValue(value);
    if (!clicked) throw new UserInputError('That button no longer points at a task.');
    return services.tasks.complete(actor, numberFrom(String(clicked.number)), { reminder: clicked.firedAt });
  });

/** Done on a notice (an assignment, a channel task): the person's own Done, not a reminder's. */
export const noticeDone = (services: Services) =>
  taskButton(services, 'done', (actor, value) => services.tasks.complete(actor, numberFrom(value), 'command'));

/**
 * A Snooze menu: "<task number>:<choice>", the time taken in the clicker's zone; a reminder's adds
 * "@<epoch ms>", the firing it was posted for. On a reminder (`from: 'reminder'`) it brings that
 * reminder back; on a notice it moves the next one.
 */
export function snoozeMenu(services: Services, from: 'reminder' | 'command') {
  return async (args: SelectArgs): Promise<void> => {
    await args.ack();
    const clicked = parseSnoozeValue(args.action.selected_option?.value);
    if (!clicked || !isSnoozeChoice(clicked.choice))
      throw new UserInputError('That snooze option is no longer available.');
    const { actor, tz } = await whoClicked(args, services);
    const until = snoozeUntil(clicked.choice, services.now(), tz);
    const origin = from === 'reminder' ? { reminder: clicked.firedAt } : from;
    const task = await services.tasks.snooze(actor, numberFrom(String(clicked.number)), until, origin);
    await args.respond({
      replace_original: true,
      ...buildTaskChanged(toSummary(task), 'snoozed', { tz, actorId: actor.userId, at: services.now() }),
    });
  };
}
