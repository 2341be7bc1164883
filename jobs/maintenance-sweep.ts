import type { Agenda } from 'agenda';
import type { Services } from '../src/services';
import { backgroundPass } from './background-pass';

export const MAINTENANCE_SWEEP = 'maintenance.sweep';

/**
 * `maintenance.sweep`: removes what expires (processed Slack event ids), as a TTL index would;
 * one pass at a time, yielding to requests (see backgroundPass), waiting up to 30 s for a slot.
 */
export function defineMaintenanceJob(agenda: Agenda, services: Services): void {
  const pass = backgroundPass(services, MAINTENANCE_SWEEP, 30_000, async () => {
    const events = await services.processedEvents.sweep();
    if (events > 0) services.logger.info({ events }, 'expired processed-event ids removed');
  });
  agenda.define(MAINTENANCE_SWEEP, pass, { lockLifetime: 60_000, concurrency: 1 });
}
