import type { AllMiddlewareArgs, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../src/services';

type Args = AllMiddlewareArgs & SlackShortcutMiddlewareArgs;

const Shortcut = z.object({
  trigger_id: z.string().min(1),
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullish(),
});

const MessageShortcut = Shortcut.extend({
  channel: z.object({ id: z.string().min(1) }),
  message_ts: z.string().min(1),
  message: z.object({ text: z.string().default('') }),
});

/** The global "Create a task" shortcut: a blank New task form. */
export function createTaskShortcut(services: Services) {
  return async ({ ack, shortcut, client }: Args) => {
    await ack();
    const parsed = Shortcut.parse(shortcut);
    const teamId = parsed.team?.id ?? '';
    const profile = await services.profiles.get(client, teamId, parsed.user.id);
    const view = await services.forms.newForm(profile.tz);
    await client.views.open({ trigger_id: parsed.trigger_id, view });
  };
}

/**
 * The "Task from message" shortcut: the New task form filled with the message, keeping its link
 * so the task (and its reminders) point back to it.
 */
export function taskFromMessageShortcut(services: Services) {
  return async ({ ack, shortcut, client, logger }: Args) => {
    await ack();
    const parsed = MessageShortcut.parse(shortcut);
    const teamId = parsed.team?.id ?? '';
    const [profile, permalink] = await Promise.all([
      services.profiles.get(client, teamId, parsed.user.id),
      client.chat
        .getPermalink({ channel: parsed.channel.id, message_ts: parsed.message_ts })
        .then((answer) => answer.permalink ?? null)
        .catch((error) => {
          // The task is still worth making without its link.
          logger.warn('chat.getPermalink failed', error);
          return null;
        }),
    ]);
    const view = await services.forms.newForm(profile.tz, {
      text: parsed.message.text,
      channelId: parsed.channel.id,
      permalink,
    });
    await client.views.open({ trigger_id: parsed.trigger_id, view });
  };
}
