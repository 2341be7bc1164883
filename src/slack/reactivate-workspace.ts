import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Workspaces } from '../workspaces/workspaces';

const LIFECYCLE = new Set(['app_uninstalled', 'tokens_revoked']);

/**
 * Global middleware: any request from a workspace other than its uninstall proves TaskPilot is
 * installed there again (a single-token deployment has no install step to say so).
 */
export function reactivateWorkspace(workspaces: Workspaces): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const eventType = (body as { event?: { type?: unknown } }).event?.type;
    if (context.teamId && !(typeof eventType === 'string' && LIFECYCLE.has(eventType))) {
      await workspaces.reactivate(context.teamId);
    }
    await next();
  };
}
