/** Gives back a slot; calling it more than once gives back one. */
export type Release = () => void;

export interface AdmissionOptions {
  /** Request work running at once in this process. */
  maxInFlight: number;
  /** Requests that may wait for a slot; one more is refused at once. */
  maxQueued: number;
  /** The longest a request waits for a slot before it is refused. */
  maxWaitMs: number;
  /** Slots background work may hold at once; it only starts when no request is waiting. */
  maxBackground?: number;
}

interface Waiter {
  grant: (release: Release) => void;
}

/**
 * Bounds the request work one process runs at once. A request over the bound waits a short,
 * bounded time in a bounded queue and is then refused, so it can be told "busy" while there is
 * still time to tell it, instead of queueing behind the database until nobody is listening.
 * Background work (home-tab refreshes, scans) takes the same slots at a lower priority: it
 * starts only when no request waits and leaves most slots to requests.
 */
export class Admission {
  private running = 0;
  private backgroundRunning = 0;
  private readonly queued: Waiter[] = [];
  private readonly backgroundQueued: Waiter[] = [];
  private readonly maxBackground: number;

  constructor(private readonly options: AdmissionOptions) {
    if (options.maxInFlight < 1) throw new Error('admission needs at least one slot');
    this.maxBackground = Math.max(
      1,
      Math.min(options.maxBackground ?? Math.ceil(options.maxInFlight / 4), options.maxInFlight),
    );
  }

  /** Slots taken, by requests and background work together. */
  get inFlight(): number {
    return this.running;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.queued.length;
  }

  /**
   * A slot for request work, or undefined when it is refused (the queue is full or the wait ran
   * out). `waitMs` can shorten the wait, never lengthen it past `maxWaitMs`.
   */
  async admit(waitMs = this.options.maxWaitMs): Promise<Release | undefined> {
    waitMs = Math.min(waitMs, this.options.maxWaitMs);
    if (this.running < this.options.maxInFlight && this.queued.length === 0) return this.take(false);
    if (this.queued.length >= this.options.maxQueued || waitMs <= 0) return undefined;
    return new Promise<Release | undefined>((resolve) => {
      const waiter: Waiter = {
        grant: (release) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        const at = this.queued.indexOf(waiter);
        if (at >= 0) this.queued.splice(at, 1);
        resolve(undefined);
      }, waitMs);
      this.queued.push(waiter);
    });
  }

  /** Background work waiting for a slot. */
  get backgroundWaiting(): number {
    return this.backgroundQueued.length;
  }

  /** A low-priority slot: waits, however long, until requests leave one free. */
  background(): Promise<Release>;
  /** The same, giving up (undefined) after `waitMs`. */
  background(waitMs: number): Promise<Release | undefined>;
  background(waitMs?: number): Promise<Release | undefined> {
    if (this.backgroundMayStart()) return Promise.resolve(this.take(true));
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (release) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer =
        waitMs === undefined
          ? undefined
          : setTimeout(() => {
              const at = this.backgroundQueued.indexOf(waiter);
              if (at >= 0) this.backgroundQueued.splice(at, 1);
              resolve(undefined);
            }, waitMs);
      this.backgroundQueued.push(waiter);
    });
  }

  /** Runs `work` in a request slot; resolves `undefined` without running it when refused. */
  async run<T>(work: () => Promise<T>, waitMs?: number): Promise<{ value: T } | undefined> {
    const release = await this.admit(waitMs);
    if (!release) return undefined;
    try {
      return { value: await work() };
    } finally {
      release();
    }
  }

  private backgroundMayStart(): boolean {
    return (
      this.running < this.options.maxInFlight && this.queued.length === 0 && this.backgroundRunning < this.maxBackground
    );
  }

  private take(background: boolean): Release {
    this.running += 1;
    if (background) this.backgroundRunning += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      if (background) this.backgroundRunning -= 1;
      this.handOn();
    };
  }

  /** A slot came free: a waiting request gets it first, background work only when none waits. */
  private handOn(): void {
    while (this.running < this.options.maxInFlight) {
      const request = this.queued.shift();
      if (request) {
        request.grant(this.take(false));
        continue;
      }
      if (!this.backgroundMayStart()) return;
      const background = this.backgroundQueued.shift();
      if (!background) return;
      background.grant(this.take(true));
    }
  }
}
