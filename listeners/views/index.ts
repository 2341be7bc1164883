import type { App } from '@slack/bolt';
import type { Services } from '../../src/services';
import { CallbackIds } from '../../views/ids';
import { agentFormSubmitted } from './agent-form';
import { taskFormSubmitted } from './task-form';

export function registerViews(app: App, services: Services): void {
  app.view(CallbackIds.taskForm, taskFormSubmitted(services));
  app.view(CallbackIds.agentForm, agentFormSubmitted(services));
}
