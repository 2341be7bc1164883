import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda, InMemoryNotificationChannel } from 'agenda';
import { type Db, ObjectId } from 'mongodb';
import { ErrorCode, TaskPilotError } from '../errors';
import type { Logger } from '../logger';

export interface SchedulerOptions {
  db: Db;
  logger: Logger;
  /** Identifies this worker in job locks; the hostname and pid by default. */
  name?: string;
  processEveryMs?: number;
  maxConcurrency?: number;
  defaultLockLifetimeMs?: number;
}

export interface ShutdownReport {
  completed: number;
  /** Jobs still running when the drain bound ran out, unlocked so another worker re-runs them. */
  unlocked: number;
}

/**
 * Agenda on the application's own MongoDB connection (Agenda never owns or closes it), plus the
 * two things Agenda does not give us: a readiness flag and a bounded drain that hands jobs still
 * running back to the queue instead of leaving them locked for a whole lock lifetime.
 */
export class Scheduler {
  readonly agenda: Agenda;
  private running = false;
  private backendReady = false;
  private readonly active = new Set<string>();
  private readonly logger: Logger;
  private readonly db: Db;
  static readonly COLLECTION = 'agendaJobs';

  constructor(options: SchedulerOptions) {
    this.logger = options.logger.child({ component: 'scheduler' });
    this.db = options.db;
    this.agenda = new Agenda({
      backend: new MongoBackend({ mongo: options.db, collection: Scheduler.COLLECTION, ensureIndex: true }),
      name: options.name ?? `taskpilot-${process.pid}`,
      processEvery: options.processEveryMs ?? 1000,
      maxConcurrency: options.maxConcurrency ?? 20,
      defaultConcurrency: 5,
      defaultLockLifetime: options.defaultLockLifetimeMs ?? 5 * 60_000,
      // A job saved in this process and due before the next poll (an agent run, a retry) starts
      // at once instead of at the poll. Other processes' jobs wait for it: FerretDB has no change
      // streams for a cross-process channel.
      notificationChannel: new InMemoryNotificationChannel(),
    });
    this.agenda.ready.then(
      () => {
        this.backendReady = true;
      },
      (error: Error) => this.logger.error({ err: error }, 'scheduler backend failed to initialise'),
    );
    this.agenda.on('error', (error) => this.logger.error({ err: error }, 'scheduler error'));
    this.agenda.on('start', (job) => {
      this.active.add(String(job.attrs._id));
    });
    this.agenda.on('complete', (job) => {
      this.active.delete(String(job.attrs._id));
    });
    this.agenda.on('fail', (error, job) => {
      this.logger.warn({ err: error, job: job.attrs.name, jobId: String(job.attrs._id) }, 'job failed');
    });
  }

  isRunning(): boolean {
    return this.running;
  }

  /**
   * Readiness: a process that runs jobs needs the processing loop; one that only enqueues (the
   * web role) needs the backend to be initialised.
   */
  assertHealthy(processesJobs: boolean): void {
    if (processesJobs && !this.running) {
      throw new TaskPilotError(ErrorCode.SchedulerUnavailable, 'scheduler is not processing jobs');
    }
    if (!this.backendReady) {
      throw new TaskPilotError(ErrorCode.SchedulerUnavailable, 'scheduler backend is not initialised');
    }
  }

  /** Jobs this process is running now (ids). */
  activeJobs(): string[] {
    return [...this.active];
  }

  async start(): Promise<void> {
    await this.agenda.start();
    this.running = true;
    this.logger.info('scheduler started');
  }

  /**
   * Agenda's own unlock (stop()) clears the lock but leaves nextRunAt as the run set it: null for
   * a one-off job, so an interrupted one-off would never run again. Requeue sets both, so the
   * interrupted run happens again at the next poll of any worker.
   */
  private async requeue(jobIds: string[]): Promise<void> {
    await this.db
      .collection(Scheduler.COLLECTION)
      .updateMany(
        { _id: { $in: jobIds.map((id) => new ObjectId(id)) } },
        { $unset: { lockedAt: '' }, $set: { nextRunAt: new Date() } },
      );
  }

  async shutdown(drainTimeoutMs: number): Promise<ShutdownReport> {
    if (!this.running) return { completed: 0, unlocked: 0 };
    this.running = false;
    const result = await this.agenda.drain({ timeout: drainTimeoutMs, closeConnection: false });
    const leftovers = this.activeJobs();
    if (leftovers.length > 0) {
      await this.requeue(leftovers);
      this.logger.warn({ jobs: leftovers }, 'jobs still running at shutdown were put back to run again');
    }
    this.logger.info({ completed: result.completed, unlocked: leftovers.length }, 'scheduler stopped');
    return { completed: result.completed, unlocked: leftovers.length };
  }
}
