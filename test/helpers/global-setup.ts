import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/db/embedded';
import { createLogger } from '../../src/logger';

declare global {
  // Shared between global setup and teardown, which run in the same process.
  var __TASKPILOT_TEST_MONGO__: { server: EmbeddedMongo; dataDir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-test-db-'));
  const server = await startEmbeddedMongo({ dataDir, logger: createLogger({ level: 'warn', pretty: false }) });
  globalThis.__TASKPILOT_TEST_MONGO__ = { server, dataDir };
  // Test workers are forked after this and inherit the variable.
  process.env.MONGODB_URI = server.uri;
}
