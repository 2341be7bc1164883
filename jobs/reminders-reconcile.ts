import type { Agenda } from 'agenda';
import { JobNames } from '../src/reminders/reminder-schedule';
import type { Services } from '../src/services';
import { singleFlight } from '../src/util/single-flight';

/** How far ahead the reconciler checks that every due reminder has its job. */
const HORIZON_MS = 5 * 60_000;
/** A pass waits this long for requests to leave a slot; it is skipped after that (the next comes in 30 s). */
const SLOT_WAIT_MS = 5000;

/**
 * `reminders.reconcile`: a periodic repair pass (see ReminderSchedule.reconcile). One pass at a
 * time per process, even when one outlives its lock and Agenda starts the next; and it takes a
 * background slot of admission control, so a busy process answers people first.
 */
export function defineReconcileJob(agenda: Agenda, services: Services): void {
  const pass = singleFlight(async () => {
    const release = await services.admission.background(SLOT_WAIT_MS);
    if (!release) {
      services.logger.info('reminders.reconcile skipped: requests kept every slot busy');
      return;
    }
    try {
      await services.reminderSchedule.reconcile(services.now(), HORIZON_MS, await services.workspaces.revokedTeams());
    } finally {
      release();
    }
  });
  agenda.define(
    JobNames.reconcileReminders,
    pass,
    // Short: Agenda's watchdog for a run outlives it by half this, and the pass takes well under it.
    { lockLifetime: 10_000, concurrency: 1 },
  );
}
