import type { App, BlockAction, BlockButtonAction, BlockOverflowAction, BlockStaticSelectAction } from '@slack/bolt';
import type { Services } from '../../src/services';
import { ActionIds } from '../../views/ids';
import { cancelAgentRun } from './agent-actions';
import { homePage, homeTaskMenu } from './home-actions';
import { noticeDone, reminderDone, restoreTask, setDue, snoozeMenu, undoCreate } from './task-buttons';
import { openEditTask, openNewTask, refreshFormPreview } from './task-form-actions';

export function registerActions(app: App, services: Services): void {
  app.action<BlockButtonAction>(ActionIds.undoCreate, undoCreate(services));
  app.action<BlockButtonAction>(ActionIds.restoreTask, restoreTask(services));
  app.action<BlockButtonAction>(ActionIds.editTask, openEditTask(services));
  app.action<BlockButtonAction>(ActionIds.openNewTask, openNewTask(services));
  app.action<BlockButtonAction>(ActionIds.reminderDone, reminderDone(services));
  app.action<BlockStaticSelectAction>(ActionIds.reminderSnooze, snoozeMenu(services, 'reminder'));
  app.action<BlockButtonAction>(ActionIds.taskDone, noticeDone(services));
  app.action<BlockStaticSelectAction>(ActionIds.taskSnooze, snoozeMenu(services, 'command'));
  app.action<BlockButtonAction>(new RegExp(`^${ActionIds.setDuePrefix}\\d+$`), setDue(services));
  app.action<BlockOverflowAction>(new RegExp(`^${ActionIds.taskMenuPrefix}\\d+$`), homeTaskMenu(services));
  app.action<BlockButtonAction>(ActionIds.homeNextPage, homePage(services));
  app.action<BlockButtonAction>(ActionIds.homeFirstPage, homePage(services));
  app.action<BlockButtonAction>(ActionIds.agentCancel, cancelAgentRun(services));
  const formInputs = [ActionIds.formDate, ActionIds.formTime, ActionIds.formRepeat, ActionIds.formCustomRepeat];
  for (const actionId of formInputs) app.action<BlockAction>(actionId, refreshFormPreview(services));
}
