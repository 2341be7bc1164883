import type { Logger } from '../logger';

export interface StaleCacheOptions {
  /** What the cache holds, for its log lines. */
  name: string;
  /** A value older than this is still served, and refreshed in the background. */
  freshMs: number;
  /** Entries kept; the least recently written goes first. */
  maxEntries: number;
  /** The longest a first-ever lookup waits for its load; the load itself goes on and fills the entry. */
  firstLoadWaitMs: number;
  logger: Logger;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
  /** Which write this is, so a load that began before a newer write cannot undo it. */
  seq: number;
}

/** A first-ever lookup that did not finish within its bound; the load still fills the entry. */
export class CacheLoadTimeout extends Error {
  constructor(name: string, key: string, ms: number) {
    super(`${name}: no value for ${key} within ${ms} ms`);
  }
}

/**
 * A cache for values a request needs before it may answer (is this workspace revoked, this
 * installation's token, this person's zone). A stale value is served at once while one refresh
 * per key runs in the background, so entries that expire together never send every request to
 * the database at the same moment; a refresh that fails keeps the stale value. Only a key never
 * seen waits for its load, joined by every caller of that key, and no longer than
 * `firstLoadWaitMs`; other keys never wait for it.
 */
export class StaleCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  private readonly now: () => number;
  private seq = 0;

  constructor(private readonly options: StaleCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value for `key`, loading it with `load` when there is none or refreshing it when stale. */
  async get(key: string, load: () => Promise<V>, waitMs = this.options.firstLoadWaitMs): Promise<V> {
    const entry = this.entries.get(key);
    if (entry) {
      if (this.now() - entry.loadedAt >= this.options.freshMs) void this.refresh(key, load).catch(() => undefined);
      return entry.value;
    }
    return this.bounded(key, this.refresh(key, load), waitMs);
  }

  /** The cached value, fresh or stale, without loading anything. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** A value this process has just written itself (a revoke, an install): it is the newest there is. */
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, loadedAt: this.now(), seq: ++this.seq });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Forgets `key`; a load already running for it still fills it when it ends. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** One load per key at a time; the value it brings replaces the entry, a failure keeps it. */
  private refresh(key: string, load: () => Promise<V>): Promise<V> {
    const running = this.loading.get(key);
    if (running) return running;
    const startedAfter = this.seq;
    const flight = (async () => {
      try {
        const value = await load();
        const written = this.entries.get(key);
        // Written here while it loaded (a revoke, say): that value is newer than what was read.
        if (written && written.seq > startedAfter) return written.value;
        this.set(key, value);
        return value;
      } catch (error) {
        const stale = this.entries.has(key);
        this.options.logger.warn(
          { err: error, cache: this.options.name, key, keptStale: stale },
          stale ? 'cache refresh failed; serving the value it had' : 'cache load failed',
        );
        throw error;
      } finally {
        this.loading.delete(key);
      }
    })();
    this.loading.set(key, flight);
    return flight;
  }

  private async bounded(key: string, flight: Promise<V>, waitMs: number): Promise<V> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheLoadTimeout(this.options.name, key, waitMs)), waitMs);
      timer.unref();
    });
    try {
      return await Promise.race([flight, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
