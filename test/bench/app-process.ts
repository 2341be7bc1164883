// TaskPilot started as a new user starts it: `node bin/taskpilot.js start` in a process of its
// own, on a fresh data folder (so the embedded FerretDB), with the deterministic parser, no
// sandbox, and the Web API pointed at a fake. The benchmark measures that process from outside.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../src/util/net';
import { packageRoot } from '../../src/util/package-root';

export interface AppProcess {
  pid: number;
  port: number;
  baseUrl: string;
  /** The embedded database's connection string, read from the process it started. */
  mongoUri: string;
  /** The embedded database's process, for its memory. */
  databasePid: number;
  dataDir: string;
  /** The app's last lines on stderr, for a failure report. */
  recentOutput(): string;
  exited(): string | undefined;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The resident memory of a process in MB (Linux), or NaN when it cannot be read. */
export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * The embedded database's address: the app writes its pid to the data folder, and the database
 * was started with --listen-addr (ferretdb) or --port (mongod). Read from outside, so the app
 * needs no knob for the benchmark.
 */
function embeddedDatabase(dataDir: string): { uri: string; pid: number } | undefined {
  try {
    const [pid = 0] = fs.readFileSync(path.join(dataDir, 'embedded-db.pid'), 'utf8').trim().split(/\s+/).map(Number);
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const listen = args
      .find((arg) => arg.startsWith('--listen-addr='))
      ?.split(':')
      .at(-1);
    const mongodPort = args[args.indexOf('--port') + 1];
    const port = listen ?? (args.includes('--port') ? mongodPort : undefined);
    if (!port) return undefined;
    // The app's own connection string names the database `taskpilot` (src/db/embedded.ts).
    return { uri: `mongodb://127.0.0.1:${port}/taskpilot`, pid };
  } catch {
    return undefined;
  }
}

export async function startAppProcess(options: {
  dataDir: string;
  slackApiUrl: string;
  signingSecret: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}): Promise<AppProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(packageRoot(), 'bin', 'taskpilot.js'), 'start'], {
    cwd: packageRoot(),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.FERRETDB_BIN ? { FERRETDB_BIN: process.env.FERRETDB_BIN } : {}),
      ...(process.env.TASKPILOT_EMBEDDED_POOL ? { TASKPILOT_EMBEDDED_POOL: process.env.TASKPILOT_EMBEDDED_POOL } : {}),
      SLACK_SIGNING_SECRET: options.signingSecret,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: options.slackApiUrl,
      TASKPILOT_PARSER: 'fallback',
      SANDBOX_ENABLED: 'false',
      TASKPILOT_DATA_DIR: options.dataDir,
      PORT: String(port),
      LOG_LEVEL: process.env.BENCH_APP_LOG_LEVEL ?? 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const recent: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    recent.push(...chunk.split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 30));
  });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exit;
    clearTimeout(timer);
  };

  // Ready means /readyz answers 200: the database, its indexes and the scheduler are up.
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (exited) throw new Error(`taskpilot start ${exited}: ${recent.slice(-5).join(' | ')}`);
    const ready = await fetch(`${baseUrl}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`taskpilot start was not ready within the time allowed: ${recent.slice(-5).join(' | ')}`);
    }
    await sleep(250);
  }
  const database = embeddedDatabase(options.dataDir);
  if (!database) {
    await stop();
    throw new Error(`could not find the embedded database of ${options.dataDir} (is MONGODB_URI set?)`);
  }
  return {
    pid: child.pid as number,
    port,
    baseUrl,
    mongoUri: database.uri,
    databasePid: database.pid,
    dataDir: options.dataDir,
    recentOutput: () => recent.join('\n'),
    exited: () => exited,
    stop,
  };
}
