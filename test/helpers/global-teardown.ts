import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const shared = globalThis.__TASKPILOT_TEST_MONGO__;
  if (!shared) return;
  await shared.server.stop();
  fs.rmSync(shared.dataDir, { recursive: true, force: true });
}
