import type { Agenda } from 'agenda';
import { JobNames } from '../src/reminders/reminder-schedule';
import type { Services } from '../src/services';

/** How far ahead the reconciler checks that every due reminder has its job. */
const HORIZON_MS = 5 * 60_000;

/** `reminders.reconcile`: a periodic repair pass (see ReminderSchedule.reconcile). */
export function defineReconcileJob(agenda: Agenda, services: Services): void {
  agenda.define(
    JobNames.reconcileReminders,
    async () => {
      await services.reminderSchedule.reconcile(services.now(), HORIZON_MS, await services.workspaces.revokedTeams());
    },
    // Short: Agenda's watchdog for a run outlives it by half this, and the pass takes well under it.
    { lockLifetime: 10_000 },
  );
}
