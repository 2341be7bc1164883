import type { Logger } from '../../../src/logger';
import { type DueReminder, type Fired, ReminderDispatcher } from '../../../src/reminders/reminder-dispatcher';
import { capturingLogger, testLogger } from '../../helpers/logger';

const T0 = new Date('2027-03-01T09:00:00Z').getTime();

/** A dispatcher over an in-memory list of due tasks; `fired` records (task, clock) per attempt. */
function setup(
  options: {
    concurrency?: number;
    recordConcurrency?: number;
    recordBacklog?: number;
    fire?: (taskId: string) => Promise<Fired>;
    logger?: Logger;
  } = {},
) {
  const due = new Map<string, Date>();
  const fired: { taskId: string; at: number }[] = [];
  let scans = 0;
  const dispatcher = new ReminderDispatcher({
    dueBy: async (until) => {
      scans += 1;
      return [...due]
        .filter(([, at]) => at <= until)
        .sort(([, a], [, b]) => a.getTime() - b.getTime())
        .map(([taskId, at]): DueReminder => ({ taskId, at }));
    },
    fire: async (taskId) => {
      fired.push({ taskId, at: Date.now() });
      return options.fire ? options.fire(taskId) : { next: null };
    },
    scanEveryMs: 1000,
    concurrency: options.concurrency ?? 5,
    recordConcurrency: options.recordConcurrency,
    recordBacklog: options.recordBacklog,
    logger: options.logger ?? testLogger(),
  });
  return { due, fired, dispatcher, scans: () => scans };
}

/** Stops the dispatcher and shows that stop waits for the held work until `release` lets it end. */
async function stopWaitsFor(dispatcher: ReminderDispatcher, release: () => void): Promise<void> {
  let stopped = false;
  const stopping = dispatcher.stop(5000).then(() => {
    stopped = true;
  });
  await jest.advanceTimersByTimeAsync(1000);
  expect(stopped).toBe(false);
  release();
  await stopping;
  expect(stopped).toBe(true);
}

describe('ReminderDispatcher', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fires a task at its time, not at the next scan, and once however many scans see it', async () => {
    const { due, fired, dispatcher } = setup();
    due.set('a', new Date(T0 + 1500));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(1499);
    expect(fired).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([{ taskId: 'a', at: T0 + 1500 }]);
    // The task has not moved (say, the attempt failed): later scans leave it to its job.
    await jest.advanceTimersByTimeAsync(5000);
    expect(fired).toHaveLength(1);
    await dispatcher.stop(100);
  });

  it('scans once per interval, and only as far as two intervals ahead', async () => {
    const { due, fired, dispatcher, scans } = setup();
    due.set('later', new Date(T0 + 10_000));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(7999);
    expect(fired).toEqual([]);
    expect(scans()).toBe(8);
    await jest.advanceTimersByTimeAsync(2001);
    expect(fired).toEqual([{ taskId: 'later', at: T0 + 10_000 }]);
    await dispatcher.stop(100);
  });

  it('follows an edit: the old time is dropped and the new one fires', async () => {
    const { due, fired, dispatcher } = setup();
    due.set('a', new Date(T0 + 1800));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(500);
    due.set('a', new Date(T0 + 2500));
    await jest.advanceTimersByTimeAsync(1500);
    expect(fired).toEqual([]);
    await jest.advanceTimersByTimeAsync(500);
    expect(fired).toEqual([{ taskId: 'a', at: T0 + 2500 }]);
    await dispatcher.stop(100);
  });

  it('a task written in this process fires without waiting for a scan; a closed one does not fire', async () => {
    const { fired, dispatcher } = setup();
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(10);
    dispatcher.notice('soon', new Date(T0 + 300));
    dispatcher.notice('closed', new Date(T0 + 400));
    dispatcher.notice('closed', null);
    dispatcher.notice('far', new Date(T0 + 60_000));
    await jest.advanceTimersByTimeAsync(500);
    expect(fired).toEqual([{ taskId: 'soon', at: T0 + 300 }]);
    await dispatcher.stop(100);
  });

  it('plans the next occurrence it is told of when it comes before the next scans', async () => {
    const next = new Map([['minutely', new Date(T0 + 1200)]]);
    const { due, fired, dispatcher } = setup({
      fire: async (taskId) => {
        const at = next.get(taskId) ?? null;
        next.delete(taskId);
        if (at) due.set(taskId, at);
        else due.delete(taskId);
        return { next: at };
      },
    });
    due.set('minutely', new Date(T0 + 200));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(1200);
    expect(fired.map((entry) => entry.at)).toEqual([T0 + 200, T0 + 1200]);
    await dispatcher.stop(100);
  });

  it('runs at most `concurrency` at once; the rest wait their turn, soonest first', async () => {
    const releases: (() => void)[] = [];
    const { due, fired, dispatcher } = setup({
      concurrency: 2,
      fire: () =>
        new Promise((resolve) => {
          releases.push(() => resolve({ next: null }));
        }),
    });
    for (const [taskId, offset] of [
      ['c', 30],
      ['a', 10],
      ['b', 20],
      ['d', 40],
    ] as const) {
      due.set(taskId, new Date(T0 + offset));
    }
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(fired.map((entry) => entry.taskId)).toEqual(['a', 'b']);
    releases.shift()?.();
    await jest.advanceTimersByTimeAsync(0);
    expect(fired.map((entry) => entry.taskId)).toEqual(['a', 'b', 'c']);
    for (const release of releases.splice(0)) release();
    await jest.advanceTimersByTimeAsync(0);
    expect(fired.map((entry) => entry.taskId)).toEqual(['a', 'b', 'c', 'd']);
    releases.shift()?.();
    await dispatcher.stop(100);
  });

  it('a reminder waiting for a slot is queued once, however many scans see it meanwhile', async () => {
    let release: () => void = () => {};
    const { due, fired, dispatcher } = setup({
      concurrency: 1,
      fire: async (taskId) => {
        if (taskId === 'slow') await new Promise<void>((resolve) => (release = resolve));
        due.delete(taskId); // fired: the task moves on, as its advance would
        return { next: null };
      },
    });
    due.set('slow', new Date(T0 + 10));
    due.set('queued', new Date(T0 + 20));
    dispatcher.start();
    // Five scans see both still due while the first holds the only slot.
    await jest.advanceTimersByTimeAsync(5000);
    release();
    await jest.advanceTimersByTimeAsync(5000);
    expect(fired.map((entry) => entry.taskId)).toEqual(['slow', 'queued']);
    await dispatcher.stop(100);
  });

  it('a failed attempt is logged and left to the job; other reminders carry on', async () => {
    const { due, fired, dispatcher } = setup({
      fire: async (taskId) => {
        if (taskId === 'broken') throw new Error('database went away');
        return { next: null };
      },
    });
    due.set('broken', new Date(T0 + 100));
    due.set('fine', new Date(T0 + 200));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(3000);
    expect(fired.map((entry) => entry.taskId)).toEqual(['broken', 'fine']);
    await dispatcher.stop(100);
  });

  it('a posted reminder frees its slot at once; what it records runs after, a few at a time, in order', async () => {
    const gates = new Map<string, () => void>();
    const recording: string[] = [];
    const { logger, lines } = capturingLogger('warn');
    const { due, fired, dispatcher } = setup({
      logger,
      concurrency: 1,
      recordConcurrency: 2,
      fire: async (taskId) => ({
        record: async () => {
          recording.push(taskId);
          await new Promise<void>((resolve) => gates.set(taskId, resolve));
          if (taskId === 'a') throw new Error('database went away');
          due.set(taskId, new Date(T0 + 1500));
          return due.get(taskId) ?? null;
        },
      }),
    });
    due.set('a', new Date(T0 + 10));
    due.set('b', new Date(T0 + 20));
    due.set('c', new Date(T0 + 30));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(100);
    // All three posted through one slot; two are recording, the third waits.
    expect(fired.map((entry) => entry.taskId)).toEqual(['a', 'b', 'c']);
    expect(recording).toEqual(['a', 'b']);
    // A failed record is logged and the lane goes on (its job records it); the next occurrence is
    // planned once recorded, and the failed one is not fired again by this process.
    gates.get('a')?.();
    await jest.advanceTimersByTimeAsync(0);
    expect(recording).toEqual(['a', 'b', 'c']);
    expect(lines()).toEqual([
      expect.objectContaining({ taskId: 'a', msg: 'reminder sent, but not recorded; its job will record it' }),
    ]);
    gates.get('b')?.();
    await jest.advanceTimersByTimeAsync(1500);
    expect(fired.slice(3)).toEqual([{ taskId: 'b', at: T0 + 1500 }]);
    gates.get('c')?.();
    gates.get('b')?.();
    await dispatcher.stop(100);
  });

  it('a full record backlog holds the next firing until a record is done', async () => {
    const gates: (() => void)[] = [];
    const { due, fired, dispatcher } = setup({
      concurrency: 1,
      recordConcurrency: 1,
      recordBacklog: 1,
      fire: async () => ({
        record: () =>
          new Promise((resolve) => {
            gates.push(() => resolve(null));
          }),
      }),
    });
    for (const [index, taskId] of ['a', 'b', 'c', 'd'].entries()) due.set(taskId, new Date(T0 + 10 * (index + 1)));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(100);
    // a records, b waits in the backlog, c is posted and holds the one slot until there is room.
    expect(fired.map((entry) => entry.taskId)).toEqual(['a', 'b', 'c']);
    expect(gates).toHaveLength(1);
    gates[0]?.();
    await jest.advanceTimersByTimeAsync(0);
    expect(fired.map((entry) => entry.taskId)).toEqual(['a', 'b', 'c', 'd']);
    expect(gates).toHaveLength(2);
    for (let index = 1; index < 4; index += 1) {
      gates[index]?.();
      await jest.advanceTimersByTimeAsync(0);
    }
    expect(gates).toHaveLength(4);
    await dispatcher.stop(100);
  });

  it('stop waits for what posted reminders still have to record', async () => {
    let release: () => void = () => {};
    const { due, dispatcher } = setup({
      fire: async () => ({
        record: () =>
          new Promise((resolve) => {
            release = () => resolve(null);
          }),
      }),
    });
    due.set('posted', new Date(T0 + 10));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(50);
    await stopWaitsFor(dispatcher, () => release());
  });

  it('stop waits for reminders being delivered and drops those not started', async () => {
    let release: () => void = () => {};
    const { due, fired, dispatcher } = setup({
      concurrency: 1,
      fire: () =>
        new Promise((resolve) => {
          release = () => resolve({ next: null });
        }),
    });
    due.set('first', new Date(T0 + 10));
    due.set('second', new Date(T0 + 20));
    dispatcher.start();
    await jest.advanceTimersByTimeAsync(50);
    await stopWaitsFor(dispatcher, () => release());
    expect(fired.map((entry) => entry.taskId)).toEqual(['first']);
  });
});
