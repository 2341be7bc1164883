import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { UserInputError } from '../../src/errors';
import type { Services } from '../../src/services';
import { whoClicked } from './who-clicked';

const RunId = z.string().min(1).max(200);

/**
 * Cancel on a run's status message. The status message itself changes when the run has stopped
 * (at once when it was still queued), so the click only asks for it.
 */
export function cancelAgentRun(services: Services) {
  return async (args: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>): Promise<void> => {
    await args.ack();
    const runId = RunId.safeParse(args.action.value);
    if (!runId.success) throw new UserInputError('That button no longer points at a run.');
    const { actor } = await whoClicked(args, services);
    await services.agentRuns.cancel(actor, runId.data);
  };
}
