import type { App } from '@slack/bolt';
import type { Services } from '../../src/services';
import { taskCommand } from './task';

export function registerCommands(app: App, services: Services): void {
  app.command('/task', taskCommand(services));
}
