import type { App } from '@slack/bolt';
import type { Services } from '../../src/services';
import { CallbackIds } from '../../views/ids';
import { createTaskShortcut, taskFromMessageShortcut } from './task-shortcuts';

export function registerShortcuts(app: App, services: Services): void {
  app.shortcut(CallbackIds.createTaskShortcut, createTaskShortcut(services));
  app.shortcut(CallbackIds.taskFromMessageShortcut, taskFromMessageShortcut(services));
}
