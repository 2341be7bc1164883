import type { Agenda, Job } from 'agenda';
import { z } from 'zod';
import { JobNames } from '../src/reminders/reminder-schedule';
import type { Services } from '../src/services';
import type { JobPolicy } from './reminder-fire';
import { withDeadLetter } from './with-dead-letter';

const DigestData = z.object({ teamId: z.string().min(1), userId: z.string().min(1) });

/** `digest.send`: one job per person who turned the digest on; it reschedules itself daily. */
export function defineDigestJob(agenda: Agenda, services: Services, policy: JobPolicy): void {
  agenda.define(
    JobNames.sendDigest,
    async (job: Job<unknown>) => {
      const parsed = DigestData.safeParse(job.attrs.data);
      if (!parsed.success) {
        services.logger.error({ jobId: String(job.attrs._id) }, 'malformed digest job dropped');
        job.attrs.nextRunAt = null;
        return;
      }
      await withDeadLetter(
        job,
        services,
        policy,
        async () => {
          job.attrs.nextRunAt = await services.digests.send(parsed.data, { touch: () => job.touch() });
        },
        async () => {
          job.attrs.nextRunAt = await services.digests.nextRun(parsed.data);
          return { jobName: JobNames.sendDigest, jobData: parsed.data };
        },
      );
    },
    { backoff: policy.backoff, lockLifetime: policy.lockLifetimeMs, removeOnComplete: true },
  );
}
