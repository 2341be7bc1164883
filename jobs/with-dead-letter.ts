import type { Job } from 'agenda';
import type { Services } from '../src/services';

export interface RetryPolicy {
  /** Retries after the first failure before the job is given up. */
  retries: number;
}

/** What retrying a dead letter runs: a job name and its data. */
export interface RetryJob {
  jobName: string;
  jobData: Record<string, unknown> & { teamId?: string };
}

/**
 * Runs a job body; when it fails for the last allowed time, `giveUp` runs instead of another
 * retry (Agenda's backoff schedules the earlier ones) and says what a later retry should run: the
 * failure goes to the dead-letter queue and the workspace's admins are told once. Deciding inside
 * the run keeps "what happens next" in the job's own final save, with no race against Agenda's
 * bookkeeping.
 */
export async function withDeadLetter(
  job: Job<unknown>,
  services: Services,
  policy: RetryPolicy,
  body: () => Promise<void>,
  /** Gives up and says what a retry runs; null when nothing is left worth keeping. */
  giveUp: (error: Error) => Promise<RetryJob | null>,
): Promise<void> {
  try {
    await body();
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    const failures = (job.attrs.failCount ?? 0) + 1;
    if (failures <= policy.retries) throw error;
    const retry = await giveUp(error);
    job.attrs.failCount = 0;
    if (!retry) return;
    const entry = await services.deadLetters.record({
      ...retry,
      teamId: retry.jobData.teamId ?? null,
      error: error.message,
      failCount: failures,
    });
    await services.deadLetters.notifyAdmins(entry).catch((notifyError) => {
      services.logger.warn(
        { err: notifyError, deadLetter: String(entry._id) },
        'could not tell admins about a dead letter',
      );
    });
  }
}
