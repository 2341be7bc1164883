import type { WebClient } from '@slack/web-api';
import { HomeTab, type HomeTabOptions } from '../../../src/home/home-tab';
import { Admission } from '../../../src/util/admission';
import { BackgroundWork } from '../../../src/util/background';
import { testLogger } from '../../helpers/logger';

/**
 * The home tab with its publish replaced by one the test finishes by hand: what is under test
 * is when refreshes run and how they merge, not what they show (that is home-view.test.ts).
 */
class GatedHomeTab extends HomeTab {
  readonly published: string[] = [];
  readonly clients: (WebClient | undefined)[] = [];
  private readonly gates: (() => void)[] = [];

  override publish(teamId: string, userId: string, _page?: number, client?: WebClient): Promise<void> {
    this.published.push(`${teamId}:${userId}`);
    this.clients.push(client);
    return new Promise((resolve) => this.gates.push(resolve));
  }

  /** Finishes the oldest publish still running. */
  finishOne(): void {
    this.gates.shift()?.();
  }

  get running(): number {
    return this.gates.length;
  }
}

const settle = async () => {
  for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
};

function homeTab(admission?: Admission) {
  const logger = testLogger();
  const background = new BackgroundWork(logger);
  // Only `background`, `admission` and `logger` are used once publish is replaced.
  const options = { background, admission, logger, now: () => new Date() } as unknown as HomeTabOptions;
  return { home: new GatedHomeTab(options), background };
}

describe('home tab refreshes', () => {
  it('merge per person: one publishing, at most one more after it, however many changes ask', async () => {
    const { home, background } = homeTab();
    home.refresh('T1', 'U1');
    await settle();
    expect(home.published).toEqual(['T1:U1']);
    for (let change = 0; change < 10; change += 1) home.refresh('T1', 'U1');
    // Another person's refresh is not merged into U1's.
    home.refresh('T1', 'U2');
    await settle();
    expect(home.published).toEqual(['T1:U1', 'T1:U2']);
    expect(home.refreshesPending).toBe(2);

    home.finishOne();
    await settle();
    // The ten changes made while the first publish ran cost one more publish, after it.
    expect(home.published).toEqual(['T1:U1', 'T1:U2', 'T1:U1']);
    home.finishOne();
    home.finishOne();
    await background.idle(1000);
    expect(home.published).toEqual(['T1:U1', 'T1:U2', 'T1:U1']);
    expect(home.refreshesPending).toBe(0);
  });

  it('wait while requests hold every slot, merging meanwhile, and run once one is free', async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueued: 4, maxWaitMs: 1000 });
    const { home, background } = homeTab(admission);
    const request = await admission.admit();
    for (let change = 0; change < 5; change += 1) home.refresh('T1', 'U1');
    await settle();
    expect(home.published).toEqual([]);
    expect(admission.backgroundWaiting).toBe(1);

    request?.();
    await settle();
    expect(home.published).toEqual(['T1:U1']);
    // The refresh holds the slot: a request now waits for it rather than the database.
    expect(admission.inFlight).toBe(1);
    home.finishOne();
    await background.idle(1000);
    // Every change came before the snapshot was read: one publish covers them all.
    expect(home.published).toEqual(['T1:U1']);
    expect(admission.inFlight).toBe(0);
  });

  it('publish with the client of the request that asked, when one did', async () => {
    const { home, background } = homeTab();
    const client = { marker: 'request client' } as unknown as WebClient;
    home.refresh('T1', 'U1', client);
    await settle();
    home.finishOne();
    await background.idle(1000);
    expect(home.clients).toEqual([client]);
  });
});
