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

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;
type SelectArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockStaticSelectAction>;

const TaskNumber = z.coerce.number().int().positive();
const DueChoice = z.object({ n: z.number().int().positive(), at: z.iso.datetime() });

/** Buttons carry the task number, never state, so they keep working on old messages. */
async function actorOf(args: ButtonArgs, services: Services): Promise<{ actor: Actor; tz: string }> {
  const teamId = args.body.team?.id ?? args.body.user.team_id ?? '';
  const profile = await services.profiles.get(args.client, teamId, args.body.user.id);
  return { actor: { teamId, userId: args.body.user.id, isAdmin: profile.isAdmin }, tz: profile.tz };
}

function numberFrom(value: string | undefined): number {
  const parsed = TaskNumber.safeParse(value);
  if (!parsed.success) throw new UserInputError('That button no longer points at a task.');
  return parsed.data;
}

/** A button that changes one task and replaces its message with the outcome. */
function taskButton(
  services: Services,
  change: TaskChange,
  apply: (actor: Actor, number: number) => Promise<TaskDocument>,
) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const { actor, tz } = await actorOf(args, services);
    const task = await apply(actor, numberFrom(args.action.value));
    await args.respond({
      replace_original: true,
      ...buildTaskChanged(toSummary(task), change, { tz, actorId: actor.userId }),
    });
  };
}

export const undoCreate = (services: Services) =>
  taskButton(services, 'deleted', (actor, number) => services.tasks.remove(actor, number));

export const restoreTask = (services: Services) =>
  taskButton(services, 'restored', (actor, number) => services.tasks.restore(actor, number));

export function setDue(services: Services) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    let choice: z.infer<typeof DueChoice>;
    try {
      choice = DueChoice.parse(JSON.parse(args.action.value ?? ''));
    } catch {
      throw new UserInputError('That button no longer points at a time.');
    }
    const { actor, tz } = await actorOf(args, services);
    const task = await services.tasks.edit(actor, choice.n, { dueAt: new Date(choice.at) });
    await args.respond({
      replace_original: true,
      ...buildTaskChanged(toSummary(task), 'edited', { tz, actorId: actor.userId }),
    });
  };
}

/** Done on a reminder: the message is replaced in place with who closed it and when. */
export const reminderDone = (services: Services) =>
  taskButton(services, 'done', (actor, number) => services.tasks.complete(actor, number, 'reminder'));

const SnoozeValue = z.string().regex(/^\d{1,9}:[a-z0-9_]+$/);

/** The Snooze menu on a reminder: "<task number>:<choice>", the time taken in the clicker's zone. */
export function reminderSnooze(services: Services) {
  return async (args: SelectArgs): Promise<void> => {
    await args.ack();
    const value = SnoozeValue.safeParse(args.action.selected_option?.value);
    const [numberText, choice] = value.success ? value.data.split(':') : [];
    if (!numberText || !choice || !isSnoozeChoice(choice))
      throw new UserInputError('That snooze option is no longer available.');
    const teamId = args.body.team?.id ?? args.body.user.team_id ?? '';
    const profile = await services.profiles.get(args.client, teamId, args.body.user.id);
    const actor: Actor = { teamId, userId: args.body.user.id, isAdmin: profile.isAdmin };
    const until = snoozeUntil(choice, services.now(), profile.tz);
    const task = await services.tasks.snooze(actor, numberFrom(numberText), until, 'reminder');
    await args.respond({
      replace_original: true,
      ...buildTaskChanged(toSummary(task), 'snoozed', { tz: profile.tz, actorId: actor.userId }),
    });
  };
}

/** The Edit modal arrives with the Slack surfaces; until then the button says how to edit. */
export function editHint(_services: Services) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const number = numberFrom(args.action.value);
    await args.respond({
      replace_original: false,
      response_type: 'ephemeral',
      text: `To change #${number}, type \`/task edit ${number} <new title or time>\`, e.g. \`/task edit ${number} tomorrow at 10am\`.`,
    });
  };
}
