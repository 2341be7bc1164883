import { Admission, type Release } from '../../../src/util/admission';

const settle = async () => {
  for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
};

describe('Admission', () => {
  afterEach(() => jest.useRealTimers());

  it('admits up to maxInFlight at once and hands a freed slot to the request waiting longest', async () => {
    const admission = new Admission({ maxInFlight: 2, maxQueued: 5, maxWaitMs: 10_000 });
    const a = await admission.admit();
    const b = await admission.admit();
    expect(a && b).toBeDefined();
    expect(admission.inFlight).toBe(2);
    const order: string[] = [];
    const c = admission.admit().then((release) => {
      order.push('c');
      return release;
    });
    const d = admission.admit().then((release) => {
      order.push('d');
      return release;
    });
    await settle();
    expect(order).toEqual([]);
    expect(admission.waiting).toBe(2);
    a?.();
    await settle();
    expect(order).toEqual(['c']);
    // Releasing twice gives back one slot.
    a?.();
    await settle();
    expect(order).toEqual(['c']);
    b?.();
    expect(await d).toBeDefined();
    expect(order).toEqual(['c', 'd']);
    expect(admission.inFlight).toBe(2);
    (await c)?.();
    (await d)?.();
    expect(admission.inFlight).toBe(0);
  });

  it('refuses at once when the queue is full, and after maxWaitMs otherwise', async () => {
    jest.useFakeTimers();
    const admission = new Admission({ maxInFlight: 1, maxQueued: 1, maxWaitMs: 500 });
    const held = await admission.admit();
    const queued = admission.admit();
    expect(await admission.admit()).toBeUndefined();
    jest.advanceTimersByTime(499);
    await settle();
    expect(admission.waiting).toBe(1);
    jest.advanceTimersByTime(1);
    expect(await queued).toBeUndefined();
    expect(admission.waiting).toBe(0);
    // The refused request holds nothing: the slot still goes to the next one when freed.
    held?.();
    expect(admission.inFlight).toBe(0);
    expect(await admission.admit()).toBeDefined();
  });

  it('lets a caller shorten the wait but never lengthen it past maxWaitMs', async () => {
    jest.useFakeTimers();
    const admission = new Admission({ maxInFlight: 1, maxQueued: 5, maxWaitMs: 100 });
    await admission.admit();
    const longer = admission.admit(10_000);
    const shorter = admission.admit(10);
    jest.advanceTimersByTime(10);
    expect(await shorter).toBeUndefined();
    expect(admission.waiting).toBe(1);
    jest.advanceTimersByTime(90);
    expect(await longer).toBeUndefined();
    expect(admission.waiting).toBe(0);
  });

  it('run() does not start refused work', async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueued: 0, maxWaitMs: 0 });
    const held = await admission.admit();
    let ran = false;
    expect(
      await admission.run(async () => {
        ran = true;
      }),
    ).toBeUndefined();
    expect(ran).toBe(false);
    held?.();
    expect(await admission.run(async () => 42)).toEqual({ value: 42 });
    expect(admission.inFlight).toBe(0);
  });

  it('gives background work a slot only when no request waits, and only its share of slots', async () => {
    const admission = new Admission({ maxInFlight: 4, maxQueued: 10, maxWaitMs: 10_000, maxBackground: 1 });
    const first = await admission.background();
    let second: Release | undefined;
    const secondWaits = admission.background().then((release) => {
      second = release;
    });
    await settle();
    // Its share is one slot: the second waits though three are free, and requests still get them.
    expect(second).toBeUndefined();
    const requests = [await admission.admit(), await admission.admit(), await admission.admit()];
    expect(requests.every(Boolean)).toBe(true);
    expect(admission.inFlight).toBe(4);

    // A request now waits; when the background slot frees, the request gets it, not the background work.
    let requestGot: Release | undefined;
    void admission.admit().then((release) => {
      requestGot = release;
    });
    first();
    await settle();
    expect(requestGot).toBeDefined();
    expect(second).toBeUndefined();

    // With no request waiting, a freed slot goes to the background work.
    requests[0]?.();
    await secondWaits;
    expect(second).toBeDefined();
    expect(admission.backgroundWaiting).toBe(0);
  });

  it('lets background work give up after its wait', async () => {
    jest.useFakeTimers();
    const admission = new Admission({ maxInFlight: 1, maxQueued: 1, maxWaitMs: 100 });
    const held = await admission.admit();
    const waiting = admission.background(1000);
    jest.advanceTimersByTime(1000);
    expect(await waiting).toBeUndefined();
    expect(admission.backgroundWaiting).toBe(0);
    held?.();
    expect(admission.inFlight).toBe(0);
  });
});
