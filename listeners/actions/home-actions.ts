import type { AllMiddlewareArgs, BlockButtonAction, BlockOverflowAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { asTaskPilotError, isUserCaused, UserInputError } from '../../src/errors';
import { isSnoozeChoice, snoozeUntil } from '../../src/reminders/snooze-choices';
import type { Services } from '../../src/services';
import { whoClicked } from './who-clicked';

type Args<A extends BlockButtonAction | BlockOverflowAction> = AllMiddlewareArgs & SlackActionMiddlewareArgs<A>;

const MenuValue = z.string().regex(/^(done|edit):\d{1,9}$|^snooze:\d{1,9}:[a-z0-9_]+$/);

/** The home tab's per-task menu: Done, Snooze or Edit; the home tab is refreshed by the change. */
export function homeTaskMenu(services: Services) {
  return async (args: Args<BlockOverflowAction>) => {
    await args.ack();
    const value = MenuValue.safeParse(args.action.selected_option?.value);
    if (!value.success) throw new UserInputError('That menu no longer points at a task.');
    const [verb, numberText, choice] = value.data.split(':');
    const number = Number(numberText);
    const { actor, tz } = await whoClicked(args, services);
    try {
      if (verb === 'edit') {
        const view = await services.forms.editForm(actor, number, tz);
        await args.client.views.open({ trigger_id: args.body.trigger_id, view });
      } else if (verb === 'done') {
        await services.tasks.complete(actor, number);
      } else if (choice && isSnoozeChoice(choice)) {
        await services.tasks.snooze(actor, number, snoozeUntil(choice, services.now(), tz));
      }
    } catch (error) {
      // The home tab has no response URL: a refusal is told by DM (and logged by the handler).
      if (isUserCaused(error)) {
        await args.client.chat.postMessage({ channel: actor.userId, text: asTaskPilotError(error).userMessage });
      }
      throw error;
    }
  };
}

/** Show more / back on the home tab. */
export function homePage(services: Services) {
  return async (args: Args<BlockButtonAction>) => {
    await args.ack();
    const page = z.coerce.number().int().min(0).max(1000).safeParse(args.action.value);
    const { actor } = await whoClicked(args, services);
    await services.home.publish(actor.teamId, actor.userId, page.success ? page.data : 0, args.client);
  };
}
