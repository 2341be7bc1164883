import type { App } from '@slack/bolt';
import type { Services } from '../src/services';
import { registerActions } from './actions';
import { registerCommands } from './commands';

/** Registers every listener kind; each kind's index registers its own handlers. */
export function registerListeners(app: App, services: Services): void {
  registerCommands(app, services);
  registerActions(app, services);
}
