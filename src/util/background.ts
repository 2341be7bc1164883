import type { Logger } from '../logger';

/**
 * Work that follows a request but must not hold up its answer (refreshing a home tab, telling an
 * assignee). Failures are logged, never thrown; shutdown waits for what is still running.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly logger: Logger) {}

  run(what: string, work: () => Promise<unknown>): void {
    if (this.closed) {
      this.logger.warn({ what }, 'shutting down: background work not started');
      return;
    }
    const task = (async () => {
      try {
        await work();
      } catch (error) {
        this.logger.warn({ err: error, what }, 'background work failed');
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  /** Takes no more work and waits for what runs (shutdown, before the database closes). */
  async close(timeoutMs = 2000): Promise<void> {
    this.closed = true;
    await this.idle(timeoutMs);
  }

  /** Resolves when nothing is running (or after `timeoutMs`). */
  async idle(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      await Promise.race([Promise.allSettled([...this.running]), timeout]);
      clearTimeout(timer);
    }
  }
}
