import type { Agenda } from 'agenda';
import type { Services } from '../src/services';

export const MAINTENANCE_SWEEP = 'maintenance.sweep';

/** `maintenance.sweep`: removes what expires (processed Slack event ids), as a TTL index would. */
export function defineMaintenanceJob(agenda: Agenda, services: Services): void {
  agenda.define(
    MAINTENANCE_SWEEP,
    async () => {
      const events = await services.processedEvents.sweep();
      if (events > 0) services.logger.info({ events }, 'expired processed-event ids removed');
    },
    { lockLifetime: 60_000 },
  );
}
