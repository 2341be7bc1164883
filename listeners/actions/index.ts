import type { App, BlockButtonAction } from '@slack/bolt';
import type { Services } from '../../src/services';
import { ActionIds } from '../../views/ids';
import { editHint, restoreTask, setDue, undoCreate } from './task-buttons';

export function registerActions(app: App, services: Services): void {
  app.action<BlockButtonAction>(ActionIds.undoCreate, undoCreate(services));
  app.action<BlockButtonAction>(ActionIds.restoreTask, restoreTask(services));
  app.action<BlockButtonAction>(ActionIds.editTask, editHint(services));
  app.action<BlockButtonAction>(new RegExp(`^${ActionIds.setDuePrefix}\\d+$`), setDue(services));
}
