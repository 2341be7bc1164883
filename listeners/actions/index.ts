import type { App, BlockButtonAction, BlockStaticSelectAction } from '@slack/bolt';
import type { Services } from '../../src/services';
import { ActionIds } from '../../views/ids';
import { editHint, reminderDone, reminderSnooze, restoreTask, setDue, undoCreate } from './task-buttons';

export function registerActions(app: App, services: Services): void {
  app.action<BlockButtonAction>(ActionIds.undoCreate, undoCreate(services));
  app.action<BlockButtonAction>(ActionIds.restoreTask, restoreTask(services));
  app.action<BlockButtonAction>(ActionIds.editTask, editHint(services));
  app.action<BlockButtonAction>(ActionIds.reminderDone, reminderDone(services));
  app.action<BlockStaticSelectAction>(ActionIds.reminderSnooze, reminderSnooze(services));
  app.action<BlockButtonAction>(new RegExp(`^${ActionIds.setDuePrefix}\\d+$`), setDue(services));
}
