import type { Agenda, BackoffStrategy, Job } from 'agenda';
import { z } from 'zod';
import { JobNames } from '../src/reminders/reminder-schedule';
import type { Services } from '../src/services';
import { type RetryPolicy, withDeadLetter } from './with-dead-letter';

const FireData = z.object({ taskId: z.string().regex(/^[0-9a-f]{24}$/), teamId: z.string().min(1) });
const RedeliverData = FireData.extend({ at: z.iso.datetime().transform((value) => new Date(value)) });

export interface JobPolicy extends RetryPolicy {
  backoff: BackoffStrategy;
  concurrency: number;
  lockLifetimeMs: number;
}

/**
 * `reminder.fire`: one job per task, the backstop of the on-time dispatcher. The service posts the
 * due occurrence (once, whatever retries or extra workers happen) and says when the task fires
 * next; the backstop of that becomes this job's next run, saved by Agenda with the job's own state.
 */
export function defineReminderJobs(agenda: Agenda, services: Services, policy: JobPolicy): void {
  const options = {
    backoff: policy.backoff,
    concurrency: policy.concurrency,
    lockLifetime: policy.lockLifetimeMs,
    // A one-off's job goes once it has fired: finished jobs would only slow every lock query.
    removeOnComplete: true,
  };
  agenda.define(
    JobNames.fireReminder,
    async (job: Job<unknown>) => {
      const parsed = FireData.safeParse(job.attrs.data);
      if (!parsed.success) {
        services.logger.error(
          { jobId: String(job.attrs._id), issues: parsed.error.issues },
          'malformed reminder job dropped',
        );
        job.attrs.nextRunAt = null;
        return;
      }
      const { taskId } = parsed.data;
      const hooks = { touch: () => job.touch(), retrying: (job.attrs.failCount ?? 0) > 0 };
      await withDeadLetter(
        job,
        services,
        policy,
        async () => {
          job.attrs.nextRunAt = services.reminderSchedule.nextJobRun(await services.reminders.fire(taskId, hooks));
        },
        async (error) => {
          const at = await services.reminders.pendingFireTime(taskId);
          if (!at) {
            // The task was closed or deleted meanwhile: nothing left to deliver or retry.
            job.attrs.nextRunAt = null;
            return null;
          }
          const next = await services.reminders.giveUp(taskId, at, error.message);
          job.attrs.nextRunAt = next && services.reminderSchedule.backstopFor(next);
          return { jobName: JobNames.redeliverReminder, jobData: { ...parsed.data, at: at.toISOString() } };
        },
      );
    },
    options,
  );

  agenda.define(
    JobNames.redeliverReminder,
    async (job: Job<unknown>) => {
      const parsed = RedeliverData.safeParse(job.attrs.data);
      if (!parsed.success) {
        services.logger.error(
          { jobId: String(job.attrs._id), issues: parsed.error.issues },
          'malformed redelivery dropped',
        );
        return;
      }
      const { taskId, at } = parsed.data;
      await withDeadLetter(
        job,
        services,
        policy,
        () => services.reminders.redeliver(taskId, at, { touch: () => job.touch() }),
        async () => ({ jobName: JobNames.redeliverReminder, jobData: { ...parsed.data, at: at.toISOString() } }),
      );
    },
    options,
  );
}
