import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { readAgentForm } from '../../src/agent/agent-form';
import { asTaskPilotError, isUserCaused } from '../../src/errors';
import type { Services } from '../../src/services';
import { settledWithin } from '../../src/util/settled-within';
import { AgentFormBlocks } from '../../views/ids';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The answer to a submission is its ack, due within Slack's 3 s (of which admission may have
 * taken 0.5 s): the person's profile (cached from opening the form) and the policy and budget
 * checks (database reads) get this long each to put a refusal on the form. Later than that the
 * form closes, and a refusal comes by DM when the run is requested.
 */
const CHECK_WAIT_MS = 800;

/**
 * The Agent run form submitted: missing fields come back next to their inputs; everything else
 * (policy, image, repository host, budget) is checked as for `/task run`. A refusal the person
 * can fix is shown on the form when the checks answer in time (CHECK_WAIT_MS), by DM otherwise;
 * the run's status then appears in the chosen channel.
 */
export function agentFormSubmitted(services: Services) {
  return async ({ ack, body, view, client, context }: Args) => {
    const teamId = context.teamId ?? body.team?.id ?? '';
    const userId = body.user.id;
    const read = readAgentForm(view.state.values);
    if ('errors' in read) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    const profile = await services.profiles.get(client, teamId, userId, CHECK_WAIT_MS);
    const actor = { teamId, userId, isAdmin: profile.isAdmin, channelId: read.channelId };
    const checked = await settledWithin(CHECK_WAIT_MS, services.agentRuns.checkedSpec(actor, read.request));
    if (checked.settled && 'error' in checked) {
      if (!isUserCaused(checked.error)) {
        await ack();
        throw checked.error;
      }
      const message = asTaskPilotError(checked.error).userMessage;
      await ack({ response_action: 'errors', errors: { [AgentFormBlocks.what]: message } });
      return;
    }
    await ack();
    try {
      await services.agentRuns.request({ ...actor, threadTs: null }, { ...read.request, postIn: read.channelId });
    } catch (error) {
      // The form is closed already (a race with a policy change): the reason comes by DM.
      await client.chat.postMessage({
        channel: userId,
        text: `I couldn't start that run. ${asTaskPilotError(error).userMessage}`,
      });
      if (!isUserCaused(error)) throw error;
    }
  };
}
