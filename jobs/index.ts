import type { Agenda } from 'agenda';
import type { Services } from '../src/services';

/**
 * Registers every Agenda job definition. Each job lives in its own file, is thin (validate the
 * job data, call a service in src/) and receives its dependencies from here.
 */
export function defineJobs(_agenda: Agenda, _services: Services): void {
  // Reminder, agent-run and maintenance jobs register here as they land.
}
