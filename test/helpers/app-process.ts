import fs from 'node:fs';
import path from 'node:path';
import { type Spawned, spawnNode } from './child';

export interface AppProcess {
  app: Spawned;
  /** The app's HTTP port (PORT=0 lets the kernel choose). */
  baseUrl: string;
  /** The embedded database's port, from its start-up line. */
  dbPort: number;
  pidFile: string;
  /** The embedded database's pid and its owner's, as the pid file names them now. */
  pids(): { db: number; owner: number } | undefined;
  /** The app's JSON log lines so far. */
  logLines(): Record<string, unknown>[];
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text.split('\n').flatMap((line) => {
    try {
      return line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });

/**
 * `taskpilot start` as an operator runs it, on its embedded database in `dataDir` (no
 * MONGODB_URI), logging JSON at info so a test can read what happened.
 */
export async function startAppOnEmbeddedDb(dataDir: string, env: Record<string, string>): Promise<AppProcess> {
  const app = spawnNode(['bin/taskpilot.js', 'start'], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FERRETDB_BIN: process.env.FERRETDB_BIN,
    TASKPILOT_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    SANDBOX_ENABLED: 'false',
    TASKPILOT_PARSER: 'fallback',
    ...env,
  });
  const started = JSON.parse(await app.line(/"msg":"taskpilot started"/, 30_000)) as { port: number };
  const db = jsonLines(app.stdout()).find((line) => line.msg === 'embedded database started') as
    | { port: number }
    | undefined;
  if (!db) throw new Error('the app did not log its embedded database start');
  const pidFile = path.join(dataDir, 'embedded-db.pid');
  return {
    app,
    baseUrl: `http://127.0.0.1:${started.port}`,
    dbPort: db.port,
    pidFile,
    pids() {
      try {
        const [db = 0, owner = 0] = fs.readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
        return { db, owner };
      } catch {
        return undefined;
      }
    },
    logLines: () => jsonLines(app.stdout()),
  };
}

/** Whether a process is running (signal 0 tests for it without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
