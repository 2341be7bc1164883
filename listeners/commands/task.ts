import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../src/services';
import { buildHelpMessage } from '../../views/help';

/** Slack's own limit on slash-command text is 4,000 characters; anything else is malformed. */
const TaskCommand = z.object({
  command: z.string().min(1),
  text: z.string().max(4000).default(''),
  user_id: z.string().min(1),
  team_id: z.string().min(1),
});

const NOT_YET = "I can only show help for now: creating and managing tasks is being switched on. Here's what's coming:";

export function taskCommand(services: Services) {
  return async ({ ack, command, respond }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = TaskCommand.safeParse(command);
    if (!parsed.success) {
      services.logger.warn({ issues: parsed.error.issues }, 'malformed /task payload');
      await respond({ response_type: 'ephemeral', text: "Sorry, I couldn't read that command. Please try again." });
      return;
    }
    const { text, command: name } = parsed.data;
    const verb = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    const isHelp = verb === '' || verb === 'help';
    await respond({ response_type: 'ephemeral', ...buildHelpMessage(name, isHelp ? undefined : NOT_YET) });
  };
}
