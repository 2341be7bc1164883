import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startEmbeddedMongo } from '../../src/db/embedded';
import { FakeSlack } from '../../src/playground/fake-slack';
import { startRuntime } from '../../src/runtime';
import { requireFerretdb } from '../helpers/ferretdb';
import { testLogger } from '../helpers/logger';

const pidsUsing = (dataDir: string): number[] =>
  fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
      } catch {
        return false;
      }
    })
    .map(Number);

describe('the embedded database', () => {
  // Needs a FerretDB of its own: without the binary this fails, never skips.
  beforeAll(() => {
    requireFerretdb();
  });

  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-embedded-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a second server on a folder in use, and leaves the first one running', async () => {
    const first = await startEmbeddedMongo({ dataDir, logger: testLogger() });
    try {
      await expect(startEmbeddedMongo({ dataDir, logger: testLogger() })).rejects.toThrow(
        new RegExp(`another TaskPilot \\(pid ${process.pid}\\) is using the embedded database`),
      );
      const port = Number(new URL(first.uri).port);
      const socket = await new Promise<net.Socket>((resolve, reject) => {
        const client = net.connect(port, '127.0.0.1', () => resolve(client)).once('error', reject);
      });
      socket.destroy();
    } finally {
      await first.stop();
    }
    const again = await startEmbeddedMongo({ dataDir, logger: testLogger() });
    await again.stop();
  });

  it('stops what it started when start-up fails part-way (port taken)', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const slack = await FakeSlack.start();
    try {
      const config = loadConfig({
        SLACK_SIGNING_SECRET: 's',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_API_URL: slack.apiUrl,
        TASKPILOT_DATA_DIR: dataDir,
        PORT: String(port),
        SANDBOX_ENABLED: 'false',
      });
      await expect(startRuntime({ config, role: 'all', logger: testLogger() })).rejects.toThrow(/EADDRINUSE/);
      expect(pidsUsing(dataDir)).toEqual([]);
    } finally {
      blocker.close();
      await slack.stop();
    }
  });
});
