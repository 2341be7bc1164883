import { CacheLoadTimeout, StaleCache } from '../../../src/util/stale-cache';
import { capturingLogger } from '../../helpers/logger';

/** A load the test finishes by hand; `calls` counts how many were started. */
function controlledLoads<V>() {
  const pending: { resolve: (value: V) => void; reject: (error: Error) => void }[] = [];
  let calls = 0;
  const load = () => {
    calls += 1;
    return new Promise<V>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return {
    load,
    get calls() {
      return calls;
    },
    resolve: (value: V) => pending.shift()?.resolve(value),
    reject: (error: Error) => pending.shift()?.reject(error),
  };
}

/** Lets the cache's own continuations run. */
const settle = async () => {
  for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
};

function cacheAt(clock: { now: number }, options: { maxEntries?: number; firstLoadWaitMs?: number } = {}) {
  const log = capturingLogger('warn');
  const cache = new StaleCache<string>({
    name: 'test',
    freshMs: 1000,
    maxEntries: options.maxEntries ?? 100,
    firstLoadWaitMs: options.firstLoadWaitMs ?? 5000,
    logger: log.logger,
    now: () => clock.now,
  });
  return { cache, log };
}

describe('StaleCache', () => {
  it('joins every caller of a key to one load (single flight)', async () => {
    const clock = { now: 0 };
    const { cache } = cacheAt(clock);
    const loads = controlledLoads<string>();
    const answers = Promise.all([cache.get('a', loads.load), cache.get('a', loads.load), cache.get('a', loads.load)]);
    expect(loads.calls).toBe(1);
    loads.resolve('one');
    expect(await answers).toEqual(['one', 'one', 'one']);
    // Fresh: served without a load.
    expect(await cache.get('a', loads.load)).toBe('one');
    expect(loads.calls).toBe(1);
  });

  it('serves the stale value at once while one background refresh runs, then the new value', async () => {
    const clock = { now: 0 };
    const { cache } = cacheAt(clock);
    const loads = controlledLoads<string>();
    const first = cache.get('a', loads.load);
    loads.resolve('old');
    await first;

    clock.now = 1500;
    // Neither waits for the refresh, and the two stale reads start only one.
    expect(await cache.get('a', loads.load)).toBe('old');
    expect(await cache.get('a', loads.load)).toBe('old');
    expect(loads.calls).toBe(2);
    loads.resolve('new');
    await settle();
    expect(await cache.get('a', loads.load)).toBe('new');
    expect(loads.calls).toBe(2);
  });

  it('keeps the stale value and logs when a refresh fails, and tries again on the next read', async () => {
    const clock = { now: 0 };
    const { cache, log } = cacheAt(clock);
    const loads = controlledLoads<string>();
    const first = cache.get('a', loads.load);
    loads.resolve('kept');
    await first;

    clock.now = 2000;
    expect(await cache.get('a', loads.load)).toBe('kept');
    loads.reject(new Error('database away'));
    await settle();
    expect(cache.peek('a')).toBe('kept');
    expect(log.lines()).toEqual([
      expect.objectContaining({
        cache: 'test',
        key: 'a',
        keptStale: true,
        msg: 'cache refresh failed; serving the value it had',
      }),
    ]);
    expect(await cache.get('a', loads.load)).toBe('kept');
    expect(loads.calls).toBe(3);
  });

  it('bounds a first lookup; the load goes on and fills the entry, and other keys never wait', async () => {
    jest.useFakeTimers();
    try {
      const clock = { now: 0 };
      const { cache } = cacheAt(clock, { firstLoadWaitMs: 100 });
      const slow = controlledLoads<string>();
      const waiting = cache.get('slow', slow.load);
      const failed = expect(waiting).rejects.toBeInstanceOf(CacheLoadTimeout);
      // Another key is loaded and answered while the first is still out.
      expect(await cache.get('quick', async () => 'here')).toBe('here');
      jest.advanceTimersByTime(100);
      await failed;
      slow.resolve('late');
      await settle();
      expect(cache.peek('slow')).toBe('late');
      // A tighter bound per call.
      const tight = cache.get('other', slow.load, 10);
      const tightFailed = expect(tight).rejects.toBeInstanceOf(CacheLoadTimeout);
      jest.advanceTimersByTime(10);
      await tightFailed;
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not cache a failed first load', async () => {
    const clock = { now: 0 };
    const { cache } = cacheAt(clock);
    await expect(cache.get('a', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(cache.peek('a')).toBeUndefined();
    expect(await cache.get('a', async () => 'yes')).toBe('yes');
  });

  it('keeps a value written while a load ran: the load read something older', async () => {
    const clock = { now: 0 };
    const { cache } = cacheAt(clock);
    const loads = controlledLoads<string>();
    const reading = cache.get('team', loads.load);
    cache.set('team', 'revoked');
    loads.resolve('active');
    expect(await reading).toBe('revoked');
    expect(cache.peek('team')).toBe('revoked');
  });

  it('holds at most maxEntries, dropping the oldest written', async () => {
    const clock = { now: 0 };
    const { cache } = cacheAt(clock, { maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await cache.get(key, async () => key.toUpperCase());
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((key) => cache.peek(key))).toEqual([undefined, undefined, 'C', 'D', 'E']);
  });
});
