import type Docker from 'dockerode';
import type { Logger } from '../logger';
import { DEADLINE_LABEL, OWNER_LABEL, SANDBOX_LABEL } from './run-container';

/** Whether a process on this host still runs (signal 0 tests without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ReapOptions {
  hostname: string;
  /** This process: its own containers are never orphans. */
  pid: number;
  now: number;
  isAlive?: (pid: number) => boolean;
}

/**
 * Removes sandbox containers nobody will clean up: those started by a process on this host that
 * is gone, and any past its deadline (a live runner kills at the timeout, so only an orphan
 * outlives it, whichever host started it). Run at worker start-up.
 */
export async function reapOrphans(docker: Docker, options: ReapOptions, logger?: Logger): Promise<string[]> {
  const isAlive = options.isAlive ?? processAlive;
  const containers = await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=true`] } });
  const orphans = containers.filter((container) => {
    const deadline = Number(container.Labels[DEADLINE_LABEL]);
    if (!Number.isFinite(deadline) || deadline < options.now) return true;
    const [host, pidText] = (container.Labels[OWNER_LABEL] ?? '').split(':');
    const pid = Number(pidText);
    return host === options.hostname && pid !== options.pid && !isAlive(pid);
  });
  const removed: string[] = [];
  for (const orphan of orphans) {
    try {
      await docker.getContainer(orphan.Id).remove({ force: true });
      removed.push(orphan.Id);
    } catch (error) {
      // Gone already (another worker reaped it, or its runner just finished): nothing to do.
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  if (removed.length > 0) logger?.warn({ containers: removed }, 'removed orphaned sandbox containers');
  return removed;
}
