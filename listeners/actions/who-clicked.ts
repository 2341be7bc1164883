import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { UserInputError } from '../../src/errors';
import type { Services } from '../../src/services';
import type { Actor } from '../../src/tasks/task-service';

/** The person behind a click, with their zone and admin flag (users.info, cached). */
export async function whoClicked(
  args: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>,
  services: Services,
): Promise<{ actor: Actor; tz: string }> {
  // The workspace that installed TaskPilot, not the clicker's: in a Slack Connect channel they differ.
  const teamId = args.context.teamId ?? args.body.team?.id ?? '';
  const profile = await services.profiles.get(args.client, teamId, args.body.user.id);
  return { actor: { teamId, userId: args.body.user.id, isAdmin: profile.isAdmin }, tz: profile.tz };
}

const TaskNumber = z.coerce.number().int().positive();

/** The task number a button carries; buttons carry it, never state, so old messages keep working. */
export function numberFrom(value: string | undefined): number {
  const parsed = TaskNumber.safeParse(value);
  if (!parsed.success) throw new UserInputError('That button no longer points at a task.');
  return parsed.data;
}
