import type { Services } from '../src/services';
import { singleFlight } from '../src/util/single-flight';

/**
 * A periodic scan as background work: one pass at a time per process (a pass that outlives its
 * Agenda lock is joined, not run again beside itself), run in a background slot of admission
 * control so a busy process answers people first. When requests keep every slot for `waitMs`,
 * the pass is skipped; the next one comes at the job's next interval.
 */
export function backgroundPass(
  services: Pick<Services, 'admission' | 'logger'>,
  what: string,
  waitMs: number,
  work: () => Promise<unknown>,
): () => Promise<void> {
  return singleFlight(async () => {
    const release = await services.admission.background(waitMs);
    if (!release) {
      services.logger.info({ job: what }, 'periodic pass skipped: requests kept every slot busy');
      return;
    }
    try {
      await work();
    } finally {
      release();
    }
  });
}
