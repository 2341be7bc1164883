import type { Runtime } from '../../src/runtime';
import { eventually } from '../helpers/eventually';
import { type RuntimeBehindProxy, type StallingProxy, startRuntimeBehindProxy } from '../helpers/stalling-proxy';

/**
 * `/readyz` pings MongoDB on a connection of its own. The app has one pooled connection
 * (maxPoolSize=1 in its URI, as the embedded default has two) and reaches the server through a
 * proxy that can hold its work, as a swamped server would: with a query stuck on the app's
 * connection, readiness must still be 200, because the server answers a ping; a ping queued on
 * the app's pool would wait behind the query and fail. Holding pings too must turn it 503, or
 * the check would not be pinging at all.
 */
describe('/readyz on its own MongoDB connection', () => {
  let behind: RuntimeBehindProxy;
  let proxy: StallingProxy;
  let runtime: Runtime & { baseUrl: string };

  const readiness = async () => {
    const res = await fetch(`${runtime.baseUrl}/readyz`);
    return { status: res.status, body: (await res.json()) as { failing: string[] } };
  };

  beforeAll(async () => {
    behind = await startRuntimeBehindProxy('readyz_own', { maxPoolSize: 1 });
    ({ proxy, runtime } = behind);
  });

  afterAll(async () => {
    await behind?.stop();
  });

  it('stays 200 while the app’s own connections are stuck, and is 503 when the server cannot be reached', async () => {
    expect((await readiness()).status).toBe(200);

    proxy.stall();
    const db = runtime.connection.db;
    if (!db) throw new Error('no database');
    let appQueryDone = false;
    const appQuery = db
      .collection('probe')
      .findOne({})
      .finally(() => {
        appQueryDone = true;
      });
    const during = await readiness();
    expect(during).toEqual({ status: 200, body: expect.objectContaining({ failing: [] }) });
    expect(appQueryDone).toBe(false);

    proxy.stall({ all: true });
    const down = await eventually(async () => {
      const result = await readiness();
      return result.status === 503 ? result : undefined;
    }, 'readiness turning 503');
    expect(down.body.failing).toEqual(['mongodb']);

    proxy.resume();
    await appQuery;
    await eventually(async () => ((await readiness()).status === 200 ? true : undefined), 'readiness back to 200', {
      timeoutMs: 20_000,
    });
  });
});
