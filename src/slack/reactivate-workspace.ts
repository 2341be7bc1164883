import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../logger';
import type { Workspaces } from '../workspaces/workspaces';

const LIFECYCLE = new Set(['app_uninstalled', 'tokens_revoked']);

/**
 * A first request from a workspace this process has not seen waits this long for its revoked
 * mark (it is cached after that); a view submission's answer is still due within Slack's 3 s.
 */
const FIRST_LOOKUP_WAIT_MS = 500;

/**
 * Global middleware: any request from a workspace other than its uninstall proves TaskPilot is
 * installed there again (a single-token deployment has no install step to say so). The revoked
 * mark comes from a cache refreshed in the background, so this never makes a request wait on the
 * database; when the mark cannot be read in time the request goes on, and the lookup, still
 * running, lets the workspace's next request reactivate it.
 */
export function reactivateWorkspace(workspaces: Workspaces, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const eventType = (body as { event?: { type?: unknown } }).event?.type;
    if (context.teamId && !(typeof eventType === 'string' && LIFECYCLE.has(eventType))) {
      await workspaces.reactivate(context.teamId, FIRST_LOOKUP_WAIT_MS).catch((error) => {
        logger.warn(
          { err: error, teamId: context.teamId },
          'could not check whether the workspace is revoked; going on',
        );
      });
    }
    await next();
  };
}
