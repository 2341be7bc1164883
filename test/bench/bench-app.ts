// What the app benchmarks share: the real runtime (role all) on the embedded database or
// MONGODB_URI, the fake Slack API in the same process, and one way to end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../src/config';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/db/embedded';
import { createLogger } from '../../src/logger';
import { FakeSlack } from '../../src/playground/fake-slack';
import { type Runtime, startRuntime } from '../../src/runtime';

export interface BenchApp {
  runtime: Runtime;
  fake: FakeSlack;
  config: Config;
  /** Undefined when MONGODB_URI names the database. */
  database: EmbeddedMongo | undefined;
  stop(): Promise<void>;
}

/** Starts TaskPilot for a benchmark; `env` is laid over the process environment. */
export async function startBenchApp(env: Record<string, string>): Promise<BenchApp> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: false });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-bench-'));
  const database = process.env.MONGODB_URI ? undefined : await startEmbeddedMongo({ dataDir, logger });
  const fake = await FakeSlack.start();
  const config = loadConfig({
    ...process.env,
    SLACK_SIGNING_SECRET: 'bench',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: fake.apiUrl,
    MONGODB_URI: process.env.MONGODB_URI ?? database?.uri,
    PORT: '0',
    ...env,
  });
  const runtime = await startRuntime({ config, role: 'all', logger });
  return {
    runtime,
    fake,
    config,
    database,
    async stop() {
      await runtime.shutdown();
      await fake.stop();
      await database?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a benchmark to its end: exit 0, or the stack and exit 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
