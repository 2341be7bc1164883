/**
 * Runs work a few at a time, in the order it was added, behind a bounded backlog: `add` resolves
 * once the work is queued and waits while the backlog is full, so a producer that outpaces the
 * lane slows to its pace instead of piling work up in memory.
 */
export class Lane {
  private readonly queue: (() => Promise<void>)[] = [];
  private running = 0;
  /** Work whose producers wait for room in the backlog; it moves in as room frees, in order. */
  private readonly overflow: { work: () => Promise<void>; queued: () => void }[] = [];
  private readonly waitingForIdle: (() => void)[] = [];

  constructor(
    private readonly width: number,
    private readonly backlog: number,
    /** Work is expected to handle its own failures; what escapes is reported here. */
    private readonly onError: (error: unknown) => void,
  ) {
    if (width < 1 || backlog < 1) throw new Error('a lane needs a width and a backlog of at least 1');
  }

  /** Work added and not finished: running, queued, or waiting for room. */
  get size(): number {
    return this.running + this.queue.length + this.overflow.length;
  }

  async add(work: () => Promise<void>): Promise<void> {
    if (this.queue.length < this.backlog && this.overflow.length === 0) {
      this.queue.push(work);
      this.pump();
      return;
    }
    await new Promise<void>((queued) => this.overflow.push({ work, queued }));
  }

  /** Resolves once all work added so far has finished. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waitingForIdle.push(resolve));
  }

  private pump(): void {
    while (this.running < this.width) {
      const work = this.queue.shift();
      if (!work) break;
      const waiting = this.overflow.shift();
      if (waiting) {
        this.queue.push(waiting.work);
        waiting.queued();
      }
      this.running += 1;
      void Promise.resolve()
        .then(work)
        .catch(this.onError)
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
    if (this.size === 0) for (const resolve of this.waitingForIdle.splice(0)) resolve();
  }
}
