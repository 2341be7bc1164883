/** Every action, callback and block id TaskPilot's views use, in one place. */
export const ActionIds = {
  openNewTask: 'task_new_open',
  undoCreate: 'task_undo_create',
  restoreTask: 'task_restore',
  editTask: 'task_edit',
  /** Followed by the choice's index: action ids must be unique within a message. */
  setDuePrefix: 'task_set_due_',
  reminderDone: 'reminder_done',
  reminderSnooze: 'reminder_snooze',
} as const;

export const CallbackIds = {
  createTaskShortcut: 'create_task',
  taskFromMessageShortcut: 'task_from_message',
} as const;
