import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { assertRequestLength } from '../../src/parse';
import type { Services } from '../../src/services';
import { runTaskCommand } from '../../src/tasks/task-commands';
import { buildAgentForm } from '../../views/agent-form';

const TaskCommand = z.object({
  command: z.string().min(1),
  text: z.string().default(''),
  user_id: z.string().min(1),
  team_id: z.string().min(1),
  channel_id: z.string().default(''),
  trigger_id: z.string().optional(),
});

/** `/task new` and `/task edit 42` with nothing more open the form instead of answering in text. */
const OPENS_FORM = /^(?:new|add|edit\s+#?(\d{1,9}))$/i;
/** `/task run` with nothing more opens the Agent run form. */
const OPENS_AGENT_FORM = /^run$/i;

/**
 * `/task …`: acknowledge at once (Slack's 3-second limit), then work out the answer and send it
 * through the response URL. Errors a person can fix reach them through the global error handler.
 */
export function taskCommand(services: Services) {
  return async ({ ack, command, respond, client }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = TaskCommand.safeParse(command);
    if (!parsed.success) {
      services.logger.warn({ issues: parsed.error.issues }, 'malformed /task payload');
      await respond({ response_type: 'ephemeral', text: "Sorry, I couldn't read that command. Please try again." });
      return;
    }
    const { text, command: name, user_id: userId, team_id: teamId, channel_id: channelId } = parsed.data;
    assertRequestLength(text);
    const profile = await services.profiles.get(client, teamId, userId);
    if (OPENS_AGENT_FORM.test(text.trim()) && parsed.data.trigger_id) {
      const view = await services.agentPolicy.formChoices(teamId, channelId || null);
      await client.views.open({ trigger_id: parsed.data.trigger_id, view: buildAgentForm(view) });
      return;
    }
    const form = OPENS_FORM.exec(text.trim());
    if (form && parsed.data.trigger_id) {
      const view = form[1]
        ? await services.forms.editForm({ teamId, userId, isAdmin: profile.isAdmin }, Number(form[1]), profile.tz)
        : await services.forms.newForm(profile.tz);
      await client.views.open({ trigger_id: parsed.data.trigger_id, view });
      return;
    }
    const message = await runTaskCommand(
      { command: name, text, teamId, userId, channelId, tz: profile.tz, isAdmin: profile.isAdmin, now: services.now() },
      services,
    );
    await respond({ response_type: 'ephemeral', ...message });
  };
}
