import type { Logger } from './logger';
import type { RequestParser } from './parse/request-parser';
import type { UserProfiles } from './slack/user-profiles';
import type { TaskService } from './tasks/task-service';

/**
 * What listeners and jobs are given to do their work. Everything they touch arrives through this
 * object, so tests compose the real services over the test database instead of patching globals.
 */
export interface Services {
  logger: Logger;
  tasks: TaskService;
  profiles: UserProfiles;
  parser: RequestParser;
  /** The clock, so tests can fix "now". */
  now: () => Date;
}
