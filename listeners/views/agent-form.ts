import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { readAgentForm } from '../../src/agent/agent-form';
import { asTaskPilotError, isUserCaused } from '../../src/errors';
import type { Services } from '../../src/services';
import { AgentFormBlocks } from '../../views/ids';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The Agent run form submitted: missing fields come back next to their inputs; everything else
 * (policy, image, repository host, budget) is checked as for `/task run`. A refusal the person
 * can fix is shown on the form; the run's status then appears in the chosen channel.
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
    const profile = await services.profiles.get(client, teamId, userId);
    const actor = { teamId, userId, isAdmin: profile.isAdmin, channelId: read.channelId };
    try {
      await services.agentRuns.checkedSpec(actor, read.request);
    } catch (error) {
      if (!isUserCaused(error)) throw error;
      await ack({ response_action: 'errors', errors: { [AgentFormBlocks.what]: asTaskPilotError(error).userMessage } });
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
