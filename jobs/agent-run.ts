import type { Agenda, BackoffStrategy, Job } from 'agenda';
import { z } from 'zod';
import { AGENT_RUN_JOB } from '../src/agent/agent-runs';
import type { Services } from '../src/services';

const RunData = z.object({ runId: z.string().min(1).max(200) });

/**
 * `agent.run`: one job per run. The service claims a slot within the concurrency limits, runs
 * the sandbox and reports; when every slot is taken it says when to look again, and that becomes
 * the job's next run. At most `concurrency` runs execute at once in one worker.
 */
export function defineAgentRunJob(
  agenda: Agenda,
  services: Services,
  policy: { backoff: BackoffStrategy; concurrency: number; lockLifetimeMs: number },
): void {
  agenda.define(
    AGENT_RUN_JOB,
    async (job: Job<unknown>) => {
      const parsed = RunData.safeParse(job.attrs.data);
      if (!parsed.success) {
        services.logger.error({ jobId: String(job.attrs._id) }, 'malformed agent run job dropped');
        job.attrs.nextRunAt = null;
        return;
      }
      job.attrs.nextRunAt = await services.agentRuns.execute(parsed.data.runId, { touch: () => job.touch() });
    },
    {
      backoff: policy.backoff,
      concurrency: policy.concurrency,
      lockLifetime: policy.lockLifetimeMs,
      removeOnComplete: true,
    },
  );
}
