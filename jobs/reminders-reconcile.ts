import type { Agenda } from 'agenda';
import { JobNames } from '../src/reminders/reminder-schedule';
import type { Services } from '../src/services';
import { backgroundPass } from './background-pass';

/** How far ahead the reconciler checks that every due reminder has its job. */
const HORIZON_MS = 5 * 60_000;

/**
 * `reminders.reconcile`: a periodic repair pass (see ReminderSchedule.reconcile), one at a time
 * and yielding to requests (see backgroundPass); it waits up to 5 s for a slot.
 */
export function defineReconcileJob(agenda: Agenda, services: Services): void {
  const pass = backgroundPass(services, JobNames.reconcileReminders, 5000, async () =>
    services.reminderSchedule.reconcile(services.now(), HORIZON_MS, await services.workspaces.revokedTeams()),
  );
  agenda.define(
    JobNames.reconcileReminders,
    pass,
    // Short: Agenda's watchdog for a run outlives it by half this, and the pass takes well under it.
    { lockLifetime: 10_000, concurrency: 1 },
  );
}
