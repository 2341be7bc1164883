/** Every action, callback and block id TaskPilot's views use, in one place. */
export const ActionIds = {
  openNewTask: 'task_new_open',
} as const;

export const CallbackIds = {
  createTaskShortcut: 'create_task',
  taskFromMessageShortcut: 'task_from_message',
} as const;
