import type { AllMiddlewareArgs, BlockAction, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../src/services';
import { numberFrom, whoClicked } from './who-clicked';

type Args<A extends BlockAction> = AllMiddlewareArgs & SlackActionMiddlewareArgs<A>;

/** "New task" on the home tab: the blank form. */
export function openNewTask(services: Services) {
  return async (args: Args<BlockButtonAction>) => {
    await args.ack();
    const { tz } = await whoClicked(args, services);
    const view = await services.forms.newForm(tz);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view });
  };
}

/** Edit on a confirmation, a reminder or a notice: the form on that task. */
export function openEditTask(services: Services) {
  return async (args: Args<BlockButtonAction>) => {
    await args.ack();
    const number = numberFrom(args.action.value);
    const { actor, tz } = await whoClicked(args, services);
    const view = await services.forms.editForm(actor, number, tz);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view });
  };
}

/** A date, time or repeat changed in the open form: rebuild it with a fresh preview. */
export function refreshFormPreview(services: Services) {
  return async (args: Args<BlockAction>) => {
    await args.ack();
    const view = args.body.view;
    if (!view) return;
    const { tz } = await whoClicked(args, services);
    const updated = await services.forms.preview(view, tz);
    // No hash: Slack changes it only on our updates, not on the person's input, so two quick
    // changes would carry the same hash and the second, fuller one would be refused. Each update
    // is built from the whole form as it was at its change.
    await args.client.views.update({ view_id: view.id, view: updated });
  };
}
