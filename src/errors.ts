/**
 * Coded errors: every failure TaskPilot raises on purpose carries a code that logs, metrics and
 * the global Slack error handler can switch on, and a message fit to show a person.
 */
export enum ErrorCode {
  Config = 'config_invalid',
  DatabaseUnavailable = 'database_unavailable',
  EmbeddedDatabase = 'embedded_database_failed',
  SchedulerUnavailable = 'scheduler_unavailable',
  DockerUnavailable = 'docker_unavailable',
  SandboxFailed = 'sandbox_failed',
  InvalidInput = 'invalid_input',
  NotFound = 'not_found',
  Forbidden = 'forbidden',
  SlackApi = 'slack_api_error',
  Timeout = 'timeout',
  Unknown = 'unknown',
}

export class TaskPilotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What a Slack user is shown; never internals. */
    readonly userMessage = 'Something went wrong on our side. Please try again in a moment.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TaskPilotError';
  }
}

/** A mistake the user can fix: the message is shown to them as it is. */
export class UserInputError extends TaskPilotError {
  constructor(userMessage: string) {
    super(ErrorCode.InvalidInput, userMessage, userMessage);
    this.name = 'UserInputError';
  }
}

export function isTaskPilotError(error: unknown): error is TaskPilotError {
  return error instanceof TaskPilotError;
}

/** Wraps anything thrown into a TaskPilotError, keeping the original as the cause. */
export function asTaskPilotError(error: unknown): TaskPilotError {
  if (isTaskPilotError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TaskPilotError(ErrorCode.Unknown, message, undefined, { cause: error });
}

const USER_CAUSED = new Set<ErrorCode>([ErrorCode.InvalidInput, ErrorCode.NotFound, ErrorCode.Forbidden]);

/** A refusal the person can act on (bad input, unknown task, not allowed), not a fault of ours. */
export function isUserCaused(error: unknown): boolean {
  return USER_CAUSED.has(asTaskPilotError(error).code);
}
