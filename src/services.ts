import type { InstallationStore } from '@slack/bolt';
import type { AgentPolicy } from './agent/agent-policy';
import type { AgentRuns } from './agent/agent-runs';
import type { HomeTab } from './home/home-tab';
import type { Logger } from './logger';
import type { RequestParser } from './parse/request-parser';
import type { DeadLetters } from './reminders/dead-letters';
import type { DigestService } from './reminders/digest-service';
import type { ReminderDispatcher } from './reminders/reminder-dispatcher';
import type { ReminderSchedule } from './reminders/reminder-schedule';
import type { ReminderService } from './reminders/reminder-service';
import type { MessageRequests } from './slack/message-requests';
import type { ProcessedEvents } from './slack/processed-events';
import type { UserProfiles } from './slack/user-profiles';
import type { TaskForms } from './tasks/task-forms';
import type { TaskService } from './tasks/task-service';
import type { Admission } from './util/admission';
import type { BackgroundWork } from './util/background';
import type { Workspaces } from './workspaces/workspaces';

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
  /** Fires reminders on time in processes that run jobs (started by the runtime). */
  dispatcher: ReminderDispatcher;
  digests: DigestService;
  deadLetters: DeadLetters;
  home: HomeTab;
  forms: TaskForms;
  messages: MessageRequests;
  processedEvents: ProcessedEvents;
  workspaces: Workspaces;
  agentRuns: AgentRuns;
  agentPolicy: AgentPolicy;
  /** Work that follows a request (notifications, home refreshes); shutdown waits for it. */
  background: BackgroundWork;
  /** Bounds request work in this process; background work takes its low-priority slots. */
  admission: Admission;
  /** OAuth deployments: the one (cached) installation store, shared by Bolt and the jobs. */
  installations?: InstallationStore;
  /** The clock, so tests can fix "now". */
  now: () => Date;
}
