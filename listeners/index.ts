import type { App } from '@slack/bolt';
import type { Services } from '../src/services';
import { dedupeEvents } from '../src/slack/event-dedupe';
import { reactivateWorkspace } from '../src/slack/reactivate-workspace';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';
import { registerShortcuts } from './shortcuts';
import { registerViews } from './views';

/** Registers every listener kind; each kind's index registers its own handlers. */
export function registerListeners(app: App, services: Services): void {
  app.use(dedupeEvents(services.processedEvents, services.logger));
  app.use(reactivateWorkspace(services.workspaces));
  registerCommands(app, services);
  registerActions(app, services);
  registerEvents(app, services);
  registerShortcuts(app, services);
  registerViews(app, services);
}
