import type { App } from '@slack/bolt';
import type { Metrics } from '../src/observability/metrics';
import type { Services } from '../src/services';
import { admissionControl } from '../src/slack/admission-middleware';
import { dedupeEvents } from '../src/slack/event-dedupe';
import { reactivateWorkspace } from '../src/slack/reactivate-workspace';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';
import { registerShortcuts } from './shortcuts';
import { registerViews } from './views';

/**
 * Registers every listener kind; each kind's index registers its own handlers. Admission comes
 * first, so a request refused as busy touches nothing, not even the event-dedupe record.
 */
export function registerListeners(app: App, services: Services, metrics: Metrics): void {
  app.use(admissionControl(services.admission, metrics, services.logger));
  app.use(dedupeEvents(services.processedEvents, services.logger));
  app.use(reactivateWorkspace(services.workspaces, services.logger));
  registerCommands(app, services);
  registerActions(app, services);
  registerEvents(app, services);
  registerShortcuts(app, services);
  registerViews(app, services);
}
