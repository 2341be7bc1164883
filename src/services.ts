import type { Logger } from './logger';
import type { RequestParser } from './parse/request-parser';
import type { DeadLetters } from './reminders/dead-letters';
import type { DigestService } from './reminders/digest-service';
import type { ReminderSchedule } from './reminders/reminder-schedule';
import type { ReminderService } from './reminders/reminder-service';
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
  reminders: ReminderService;
  reminderSchedule: ReminderSchedule;
  digests: DigestService;
  deadLetters: DeadLetters;
  /** The clock, so tests can fix "now". */
  now: () => Date;
}
