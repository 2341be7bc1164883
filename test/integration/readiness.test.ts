import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EmbeddedMongo, findFerretdb, startEmbeddedMongo } from '../../src/db/embedded';
import { FakeSlack } from '../../src/playground/fake-slack';
import type { Runtime } from '../../src/runtime';
import { freePort } from '../../src/util/net';
import { uriForDb } from '../helpers/db';
import { eventually } from '../helpers/eventually';
import { requireFerretdb } from '../helpers/ferretdb';
import { testLogger } from '../helpers/logger';
import { startTestRuntime } from '../helpers/runtime';

// This test stops and restarts a MongoDB-wire server of its own, so it needs the FerretDB binary
// (scripts/services.sh builds it) rather than the shared server.
const _ferretdb = findFerretdb();

describe('/readyz while MongoDB goes away and comes back', () => {
  let dataDir: string;
  let port: number;
  let server: EmbeddedMongo | undefined;
  let runtime: (Runtime & { baseUrl: string }) | undefined;
  let slack: FakeSlack;

  const startServer = () => startEmbeddedMongo({ dataDir, port, logger: testLogger() });
  const readiness = async () => {
    const res = await fetch(`${runtime?.baseUrl}/readyz`);
    return { status: res.status, body: (await res.json()) as { failing: string[] } };
  };

  beforeAll(async () => {
    // Needs a FerretDB of its own: without the binary this fails, never skips.
    requireFerretdb();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-readyz-'));
    port = await freePort();
    server = await startServer();
    slack = await FakeSlack.start();
    runtime = await startTestRuntime({ mongoUri: uriForDb('tp_readyz', server.uri), slackApiUrl: slack.apiUrl });
  });

  afterAll(async () => {
    await runtime?.shutdown();
    await server?.stop();
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is 503 naming mongodb while the server is down and 200 again after it returns', async () => {
    expect((await readiness()).status).toBe(200);

    await server?.stop();
    const down = await eventually(async () => {
      const result = await readiness();
      return result.status === 503 ? result : undefined;
    }, 'readiness turning 503');
    expect(down.body.failing).toEqual(['mongodb']);
    // Liveness is about the process, not its dependencies.
    expect((await fetch(`${runtime?.baseUrl}/healthz`)).status).toBe(200);

    server = await startServer();
    const up = await eventually(
      async () => {
        const result = await readiness();
        return result.status === 200 ? result : undefined;
      },
      'readiness returning to 200',
      { timeoutMs: 30_000 },
    );
    expect(up.body.failing).toEqual([]);
  });
});
