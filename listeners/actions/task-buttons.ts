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

/** "<number>@<epoch ms>": a reminder's button names the task and the firing it was posted for. */
const REMINDER_VALUE = /^(\d{1,9})(?:@(\d{1,15}))?$/;

/** The task and firing a reminder's button carries; reminders posted before firings were carried have none. */
function reminderTarget(value: string | undefined): { number: number; firedAt: Date | null } {
  const match = REMINDER_VALUE.exec(value ?? '');
  if (!match) throw new UserInputError('That button no longer points at a task.');
  return { number: numberFrom(match[1]), firedAt: match[2] ? new Date(Number(match[2])) : null };
}

/** Done on a reminder: the message is replaced in place with who closed it and when. */
export const reminderDone = (services: Services) =>
  taskButton(services, 'done', (actor, value) => {
    const { number, firedAt } = reminderTarget(value);
    return services.tasks.complete(actor, number, { reminder: firedAt });
  });

/** Done on a notice (an assignment, a channel task): the person's own Done, not a reminder's. */
export const noticeDone = (services: Services) =>
  taskButton(services, 'done', (actor, value) => services.tasks.complete(actor, numberFrom(value), 'command'));

const SnoozeValue = z.string().regex(/^\d{1,9}:[a-z0-9_]+(?:@\d{1,15})?$/);

/**
 * A Snooze menu: "<task number>:<choice>", the time taken in the clicker's zone; a reminder's adds
 * "@<epoch ms>", the firing it was posted for. On a reminder (`from: 'reminder'`) it brings that
 * reminder back; on a notice it moves the next one.
 */
export function snoozeMenu(services: Services, from: 'reminder' | 'command') {
  return async (args: SelectArgs): Promise<void> => {
    await args.ack();
    const value = SnoozeValue.safeParse(args.action.selected_option?.value);
    const [target, firing] = value.success ? value.data.split('@') : [];
    const [numberText, choice] = target ? target.split(':') : [];
    if (!numberText || !choice || !isSnoozeChoice(choice))
      throw new UserInputError('That snooze option is no longer available.');
    const { actor, tz } = await whoClicked(args, services);
    const until = snoozeUntil(choice, services.now(), tz);
    const origin = from === 'reminder' ? { reminder: firing ? new Date(Number(firing)) : null } : from;
    const task = await services.tasks.snooze(actor, numberFrom(numberText), until, origin);
    await args.respond({
      replace_original: true,
      ...buildTaskChanged(toSummary(task), 'snoozed', { tz, actorId: actor.userId, at: services.now() }),
    });
  };
}
