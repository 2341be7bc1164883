import { backgroundPass } from '../../../jobs/background-pass';
import { Admission } from '../../../src/util/admission';
import { testLogger } from '../../helpers/logger';

const settle = async () => {
  for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
};

describe('backgroundPass (periodic scans)', () => {
  afterEach(() => jest.useRealTimers());

  it('runs one pass at a time: a run while one is going joins it instead of piling up', async () => {
    const admission = new Admission({ maxInFlight: 2, maxQueued: 4, maxWaitMs: 100 });
    let passes = 0;
    let finish = () => {};
    const pass = backgroundPass({ admission, logger: testLogger() }, 'scan', 1000, async () => {
      passes += 1;
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    const first = pass();
    const second = pass();
    await settle();
    expect(passes).toBe(1);
    expect(admission.inFlight).toBe(1);
    finish();
    await Promise.all([first, second]);
    expect(admission.inFlight).toBe(0);
    // After it ends, the next run is a pass of its own.
    const third = pass();
    await settle();
    expect(passes).toBe(2);
    finish();
    await third;
  });

  it('waits while requests hold every slot, and skips the pass when they keep them', async () => {
    jest.useFakeTimers();
    const admission = new Admission({ maxInFlight: 1, maxQueued: 4, maxWaitMs: 100 });
    const request = await admission.admit();
    let passes = 0;
    const pass = backgroundPass({ admission, logger: testLogger() }, 'scan', 5000, async () => {
      passes += 1;
    });
    const skipped = pass();
    jest.advanceTimersByTime(5000);
    await skipped;
    expect(passes).toBe(0);

    const waiting = pass();
    await settle();
    expect(passes).toBe(0);
    request?.();
    await waiting;
    expect(passes).toBe(1);
    expect(admission.inFlight).toBe(0);
  });
});
