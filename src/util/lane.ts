/**
 * Runs work a few at a time, in the order it was added, behind a bounded backlog: `add` resolves
 * once the work is queued and waits while the backlog is full, so a producer that outpaces the
 * lane slows to its pace instead of piling work up in memory.
 */
export class Lane {
  private readonly queue: (() => Promise<void>)[] = [];
  private running = 0;
  /** Producers waiting for room in the backlog, first come first served. */
  private readonly waitingForRoom: (() => void)[] = [];
  private readonly waitingForIdle: (() => void)[] = [];

  constructor(
    private readonly width: number,
    private readonly backlog: number,
    /** Work is expected to handle its own failures; what escapes is reported here. */
    private readonly onError: (error: unknown) => void,
  ) {
    if (width < 1 || backlog < 1) throw new Error('a lane needs a width and a backlog of at least 1');
  }

  /** Work queued or running. */
  get size(): number {
    return this.queue.length + this.running;
  }

  async add(work: () => Promise<void>): Promise<void> {
    while (this.queue.length >= this.backlog) {
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
    this.queue.push(work);
    this.pump();
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waitingForIdle.push(resolve));
  }

  private pump(): void {
    while (this.running < this.width) {
      const work = this.queue.shift();
      if (!work) break;
      this.waitingForRoom.shift()?.();
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
