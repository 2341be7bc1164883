import type { Logger } from '../logger';
import { Lane } from '../util/lane';

export interface DueReminder {
  taskId: string;
  at: Date;
}

interface Planned {
  at: number;
  /** Unset once it has gone off: the firing is waiting for a slot, or under way. */
  timer: NodeJS.Timeout | undefined;
  /** When it was planned; a scan that began earlier may not have seen the write behind it. */
  since: number;
}

/** What a firing left for the dispatcher to do. */
export type Fired =
  /** Nothing: plan `next` (null: nothing to plan). */
  | { next: Date | null }
  /** The post is done; `record` moves the task on and resolves to the next fire time to plan. */
  | { record: () => Promise<Date | null> };

export interface DispatcherOptions {
  /** Tasks that fire by `until`, soonest first. */
  dueBy(until: Date): Promise<DueReminder[]>;
  /** Fires the task's due occurrence. */
  fire(taskId: string): Promise<Fired>;
  /** How often the database is asked for tasks coming due. */
  scanEveryMs: number;
  /** Reminders this many at once; the rest wait their turn, soonest first. */
  concurrency: number;
  /**
   * Posted reminders recorded this many at once, in the order they were posted. One by default:
   * records share the database with the posts, and a narrower lane leaves the posts more of it
   * (in the 1,000-a-minute benchmark, p99 587 and 1,189 ms two wide; 458, 619 and 525 ms one wide).
   */
  recordConcurrency?: number;
  /** Posted reminders waiting to be recorded, at most; a firing that finds the lane full waits. */
  recordBacklog?: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Fires reminders on time from in-process timers. Every `scanEveryMs` it asks for the tasks due
 * before the scan after next and sets a timer for each, so a reminder fires at its time rather
 * than at the next poll, and the database is scanned once per interval rather than once per
 * reminder. Each (task, fire time) gets one on-time attempt per process: what that attempt does
 * not finish (a crash, a failure, another worker's live delivery) is its Agenda job's to retry.
 * Several workers may dispatch the same reminder; the Delivery claim lets one of them post it.
 *
 * A firing holds its slot until its post is done; what it records afterwards (the task's move to
 * its next occurrence, and its job's) runs in a lane behind it, one at a time. On a single-writer store
 * (FerretDB's SQLite) a post then waits behind a couple of bookkeeping writes, not behind every
 * earlier reminder's. The lane's backlog is bounded: when it is full, firings wait for it.
 */
export class ReminderDispatcher {
  /**
   * Each task's planned firing, from its timer being set until its attempt ends: a task is never
   * queued twice, however many scans see it while it waits for a slot.
   */
  private readonly planned = new Map<string, Planned>();
  /** The fire time each task was last attempted for: not attempted again by this process. */
  private readonly attempted = new Map<string, number>();
  private readonly waiting: DueReminder[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly records: Lane;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning = false;
  private running = false;
  private readonly now: () => number;
  private readonly lookaheadMs: number;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    // Two intervals: a task is seen by at least one scan before it is due, even if a scan is slow.
    this.lookaheadMs = 2 * options.scanEveryMs;
    this.records = new Lane(options.recordConcurrency ?? 1, options.recordBacklog ?? 100, (error) =>
      options.logger.error({ err: error }, 'reminder record lane failed'),
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.scan();
    this.scanTimer = setInterval(() => void this.scan(), this.options.scanEveryMs);
    this.scanTimer.unref();
  }

  /**
   * Stops setting timers and waits (up to `timeoutMs`) for reminders being delivered and recorded.
   * One still being posted when the process exits keeps its delivery lease, and another worker
   * takes it over; one posted but not recorded is moved on when its job or another worker's
   * firing finds its delivery closed.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    clearInterval(this.scanTimer);
    for (const { timer } of this.planned.values()) clearTimeout(timer);
    this.planned.clear();
    this.waiting.length = 0;
    let timeout: NodeJS.Timeout | undefined;
    const drained = async () => {
      await Promise.allSettled([...this.inFlight]);
      await this.records.idle();
    };
    await Promise.race([
      drained(),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timeout);
  }

  /** A task changed in this process: due before the next scan, it gets its timer now. */
  notice(taskId: string, at: Date | null): void {
    if (!this.running) return;
    if (at && at.getTime() <= this.now() + this.lookaheadMs) this.plan({ taskId, at });
    else this.unplan(taskId);
  }

  private async scan(): Promise<void> {
    if (this.scanning || !this.running) return;
    this.scanning = true;
    try {
      const started = this.now();
      const due = await this.options.dueBy(new Date(started + this.lookaheadMs));
      const current = new Map(due.map((reminder) => [reminder.taskId, reminder.at.getTime()]));
      // Forget what is no longer due (fired, edited, closed): memory stays bounded by the window.
      // A timer set while the scan ran came from a newer write than the scan may have seen.
      for (const [taskId, at] of this.attempted) if (current.get(taskId) !== at) this.attempted.delete(taskId);
      for (const [taskId, planned] of this.planned) {
        if (planned.since < started && current.get(taskId) !== planned.at) this.unplan(taskId);
      }
      for (const reminder of due) this.plan(reminder);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not look for reminders coming due; their jobs will fire them');
    } finally {
      this.scanning = false;
    }
  }

  private plan(reminder: DueReminder): void {
    const at = reminder.at.getTime();
    if (!this.running || this.attempted.get(reminder.taskId) === at) return;
    if (this.planned.get(reminder.taskId)?.at === at) return;
    this.unplan(reminder.taskId);
    const planned: Planned = { at, timer: undefined, since: this.now() };
    planned.timer = setTimeout(
      () => {
        planned.timer = undefined;
        this.waiting.push(reminder);
        this.pump();
      },
      Math.max(0, at - this.now()),
    );
    this.planned.set(reminder.taskId, planned);
  }

  /** Drops a task's planned firing; one already waiting for a slot is skipped when its turn comes. */
  private unplan(taskId: string): void {
    clearTimeout(this.planned.get(taskId)?.timer);
    this.planned.delete(taskId);
  }

  private pump(): void {
    while (this.running && this.inFlight.size < this.options.concurrency) {
      const next = this.waiting.shift();
      if (!next) return;
      const work = this.dispatch(next).finally(() => {
        this.inFlight.delete(work);
        this.pump();
      });
      this.inFlight.add(work);
    }
  }

  private async dispatch({ taskId, at }: DueReminder): Promise<void> {
    const planned = this.planned.get(taskId);
    // Edited, closed or re-planned while it waited: whatever replaced it fires instead.
    if (planned?.at !== at.getTime() || this.attempted.get(taskId) === planned.at) return;
    this.attempted.set(taskId, planned.at);
    let fired: Fired = { next: null };
    try {
      fired = await this.options.fire(taskId);
    } catch (error) {
      this.options.logger.warn(
        { err: error, taskId, at },
        'reminder not delivered on time; its job retries it with backoff',
      );
    } finally {
      if (this.planned.get(taskId) === planned) this.planned.delete(taskId);
    }
    if ('record' in fired) await this.records.add(() => this.record(taskId, at, fired.record));
    else this.planNext(taskId, fired.next);
  }

  private async record(taskId: string, at: Date, record: () => Promise<Date | null>): Promise<void> {
    try {
      this.planNext(taskId, await record());
    } catch (error) {
      // Until its task moves on, the occurrence is attempted here no more; its job finds it sent.
      this.options.logger.warn({ err: error, taskId, at }, 'reminder sent, but not recorded; its job will record it');
    }
  }

  /** A recurrence close enough not to wait for a scan (minutely, or a short nag). */
  private planNext(taskId: string, next: Date | null): void {
    if (next) this.notice(taskId, next);
  }
}
