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
  /** Done / Snooze on a notice (an assignment, a channel task): a person's own action, not a reminder's. */
  taskDone: 'task_done',
  taskSnooze: 'task_snooze',
  /** Followed by the task number: the home tab's per-task menu (Done, Snooze, Edit). */
  taskMenuPrefix: 'task_menu_',
  homeNextPage: 'home_page_next',
  homeFirstPage: 'home_page_first',
  /** Inputs of the task form that refresh its preview when changed. */
  formDate: 'task_form_date',
  formTime: 'task_form_time',
  formRepeat: 'task_form_repeat',
  formCustomRepeat: 'task_form_custom',
  /** Cancel on an agent run's status message; the value is the run id. */
  agentCancel: 'agent_cancel',
  openAgentForm: 'agent_form_open',
} as const;

export const CallbackIds = {
  createTaskShortcut: 'create_task',
  taskFromMessageShortcut: 'task_from_message',
  taskForm: 'task_form',
  agentForm: 'agent_form',
} as const;

/** The agent run form's input blocks (block id = the element's action id). */
export const AgentFormBlocks = {
  kind: 'agent_kind',
  what: 'agent_what',
  repo: 'agent_repo',
  image: 'agent_image',
  options: 'agent_options',
  channel: 'agent_channel',
} as const;

/** The task form's input blocks: `response_action: errors` names these. */
export const FormBlocks = {
  title: 'task_title',
  notes: 'task_notes',
  assignees: 'task_assignees',
  channel: 'task_channel',
  date: 'task_date',
  time: 'task_time',
  repeat: 'task_repeat',
  customRepeat: 'task_repeat_custom',
  preview: 'task_preview',
} as const;

/** The action id of the one element in each form input block. */
export const FormInputs = {
  title: 'title',
  notes: 'notes',
  assignees: 'assignees',
  channel: 'channel',
  date: ActionIds.formDate,
  time: ActionIds.formTime,
  repeat: ActionIds.formRepeat,
  customRepeat: ActionIds.formCustomRepeat,
} as const;
