import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { asTaskPilotError, isUserCaused } from '../../src/errors';
import type { Services } from '../../src/services';
import { timeChoices, toSummary } from '../../src/tasks/task-commands';
import { buildTaskChanged, buildTaskCreated } from '../../views/task';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The person's zone is known from opening the form (cached); should it not be, users.info gets
 * this long before the ack, which is due within Slack's 3 s, goes without it (UTC).
 */
const PROFILE_WAIT_MS = 1000;

/**
 * The New / Edit task form submitted. Checked first, and mistakes are shown next to their inputs
 * (response_action: errors); a good form closes at once and the task is written, then confirmed
 * by DM. Slack waits only 3 s for the answer, so the write comes after it, and nothing before
 * the ack waits on the database.
 */
export function taskFormSubmitted(services: Services) {
  return async ({ ack, body, view, client, context }: Args) => {
    // The installing workspace (Bolt's own choice for submissions), not the submitter's.
    const teamId = context.teamId ?? body.team?.id ?? '';
    const userId = body.user.id;
    const profile = await services.profiles.get(client, teamId, userId, PROFILE_WAIT_MS);
    // Reads the form and the deterministic parser only: no database before the ack.
    const checked = await services.forms.check(view, profile.tz);
    if ('errors' in checked) {
      await ack({ response_action: 'errors', errors: checked.errors });
      return;
    }
    await ack();
    const actor = { teamId, userId, isAdmin: profile.isAdmin };
    const now = services.now();
    let saved: Awaited<ReturnType<Services['forms']['save']>>;
    try {
      saved = await services.forms.save(checked.plan, actor, profile.tz);
    } catch (error) {
      // The form is closed already: the reason comes by DM; a fault of ours is also logged.
      await client.chat.postMessage({
        channel: userId,
        text: `I couldn't save that task. ${asTaskPilotError(error).userMessage}`,
      });
      if (isUserCaused(error)) return;
      throw error;
    }
    const { task, occurrences } = saved;
    const message =
      checked.plan.meta.mode === 'edit'
        ? buildTaskChanged(toSummary(task), 'edited', { tz: profile.tz, actorId: userId })
        : buildTaskCreated(toSummary(task), {
            tz: profile.tz,
            now,
            occurrences,
            timeChoices: task.dueAt ? [] : timeChoices(now, profile.tz),
          });
    await client.chat.postMessage({ channel: userId, ...message });
  };
}
