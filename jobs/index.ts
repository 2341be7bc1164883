import { type Agenda, exponential } from 'agenda';
import type { Config } from '../src/config';
import { JobNames } from '../src/reminders/reminder-schedule';
import type { Services } from '../src/services';
import { defineAgentRunJob } from './agent-run';
import { defineDigestJob } from './digest-send';
import { defineMaintenanceJob, MAINTENANCE_SWEEP } from './maintenance-sweep';
import { defineReminderJobs, type JobPolicy } from './reminder-fire';
import { defineReconcileJob } from './reminders-reconcile';

/**
 * Registers every Agenda job definition. Each job lives in its own file, is thin (validate the
 * job data, call a service in src/) and receives its dependencies from here.
 */
export function defineJobs(agenda: Agenda, services: Services, jobs: Config['jobs'], agents: Config['agents']): void {
  const policy: JobPolicy = {
    retries: jobs.retries,
    // One more than our own limit: the last failure is handled by withDeadLetter, not Agenda.
    backoff: exponential({ delay: jobs.retryDelayMs, factor: 2, maxRetries: jobs.retries + 1, jitter: 0.1 }),
    concurrency: jobs.concurrency,
    lockLifetimeMs: jobs.lockLifetimeMs,
  };
  defineReminderJobs(agenda, services, policy);
  defineDigestJob(agenda, services, policy);
  defineReconcileJob(agenda, services);
  defineMaintenanceJob(agenda, services);
  defineAgentRunJob(agenda, services, {
    // A failure (the database, mostly) is retried; the run's own state makes a retry safe.
    backoff: policy.backoff,
    concurrency: agents.concurrency.global,
    lockLifetimeMs: jobs.lockLifetimeMs,
  });
}

/** Periodic jobs, scheduled by processes that run jobs (one shared job per name). */
export async function schedulePeriodicJobs(agenda: Agenda): Promise<void> {
  // Not at once: every start would otherwise run a pass (and leave Agenda's watchdog timer behind).
  await agenda.every('30 seconds', JobNames.reconcileReminders, undefined, { skipImmediate: true });
  await agenda.every('1 hour', MAINTENANCE_SWEEP, undefined, { skipImmediate: true });
}
