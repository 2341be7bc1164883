import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, TaskPilotError } from '../errors';
import type { Logger } from '../logger';
import { freePort, waitForPort } from '../util/net';
import { packageRoot } from '../util/package-root';

/**
 * The embedded default store: when no MONGODB_URI is configured, TaskPilot starts a local
 * MongoDB-wire server of its own with its data under the data folder. In order of preference:
 * a `mongod` on PATH, the FerretDB binary that scripts/services.sh builds, and
 * mongodb-memory-server when an operator has installed it.
 */
export interface EmbeddedMongo {
  uri: string;
  kind: 'mongod' | 'ferretdb' | 'mongodb-memory-server';
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  logger: Logger;
  /** Overrides the search, e.g. tests that point at a freshly built binary. */
  ferretdbPath?: string;
  /**
   * More FerretDB flags (tests: `--test-disable-pushdown` for a reference server). Starts FerretDB
   * even where a mongod is on PATH, since the flags mean nothing to anything else.
   */
  extraFerretdbArgs?: string[];
  port?: number;
}

function onPath(binary: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, binary))
    .find(executable);
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where scripts/services.sh leaves the FerretDB it builds. */
export function builtFerretdbPath(): string {
  return path.join(packageRoot(), '.taskpilot', 'bin', 'ferretdb');
}

export function findFerretdb(explicit?: string): string | undefined {
  const candidates = [explicit, process.env.FERRETDB_BIN, builtFerretdbPath()].filter(
    (candidate): candidate is string => Boolean(candidate),
  );
  return candidates.find(executable) ?? onPath('ferretdb');
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The pid file names the database process and the TaskPilot process that owns it. A live owner
 * means the folder is in use: refuse rather than kill its database. A dead owner left its server
 * running (SIGKILL, crash): stop that orphan.
 */
function claimDataDir(pidFile: string, dataDir: string, logger: Logger): void {
  let dbPid: number;
  let ownerPid: number;
  try {
    [dbPid = 0, ownerPid = 0] = fs.readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return;
  }
  if (!(dbPid > 0 && alive(dbPid))) return;
  let cmdline = '';
  try {
    cmdline = fs.readFileSync(`/proc/${dbPid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!/ferretdb|mongod/.test(cmdline)) return;
  if (ownerPid > 0 && alive(ownerPid)) {
    throw new TaskPilotError(
      ErrorCode.EmbeddedDatabase,
      `another TaskPilot (pid ${ownerPid}) is using the embedded database in ${dataDir}; stop it, or set TASKPILOT_DATA_DIR to another folder`,
    );
  }
  process.kill(dbPid, 'SIGKILL');
  logger.warn({ pid: dbPid }, 'stopped an embedded database left behind by an earlier run');
}

async function startProcess(
  kind: 'mongod' | 'ferretdb',
  binary: string,
  args: string[],
  port: number,
  pidFile: string,
  logger: Logger,
): Promise<EmbeddedMongo> {
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const recent: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    recent.push(...chunk.split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 20));
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once('error', (error) => {
    exited = error.message;
  });
  if (child.pid) fs.writeFileSync(pidFile, `${child.pid} ${process.pid}`);

  try {
    await waitForPort(port, {
      timeoutMs: 30_000,
      abandon: () => (exited ? new Error(`${kind} ${exited}: ${recent.slice(-3).join(' | ')}`) : undefined),
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw new TaskPilotError(
      ErrorCode.EmbeddedDatabase,
      `the embedded ${kind} did not start: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
  logger.info({ kind, port, binary }, 'embedded database started');

  return {
    kind,
    uri: `mongodb://127.0.0.1:${port}/taskpilot`,
    async stop() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await done;
      clearTimeout(timer);
      fs.rmSync(pidFile, { force: true });
    },
  };
}

interface MemoryServerModule {
  MongoMemoryServer: {
    create(options: { instance: { dbPath: string; ip: string } }): Promise<{
      getUri(): string;
      stop(): Promise<boolean>;
    }>;
  };
}

async function loadMemoryServer(): Promise<MemoryServerModule | undefined> {
  try {
    // Optional: not a dependency, because it downloads mongod at run time, which only works on
    // machines with internet access. Operators who want it install it beside TaskPilot.
    return (await import('mongodb-memory-server' as string)) as MemoryServerModule;
  } catch {
    return undefined;
  }
}

export async function startEmbeddedMongo(options: EmbeddedOptions): Promise<EmbeddedMongo> {
  const { dataDir, logger } = options;
  fs.mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, 'embedded-db.pid');
  claimDataDir(pidFile, dataDir, logger);
  const port = options.port ?? (await freePort());

  const mongod = options.extraFerretdbArgs ? undefined : onPath('mongod');
  if (mongod) {
    const dbPath = path.join(dataDir, 'mongod');
    fs.mkdirSync(dbPath, { recursive: true });
    return startProcess(
      'mongod',
      mongod,
      ['--dbpath', dbPath, '--bind_ip', '127.0.0.1', '--port', String(port), '--quiet'],
      port,
      pidFile,
      logger,
    );
  }

  const ferretdb = findFerretdb(options.ferretdbPath);
  if (ferretdb) {
    const sqliteDir = path.join(dataDir, 'ferretdb');
    fs.mkdirSync(sqliteDir, { recursive: true });
    const started = await startProcess(
      'ferretdb',
      ferretdb,
      [
        '--handler=sqlite',
        // Writers take SQLite's write lock when their transaction begins: FerretDB reads, then
        // writes, in one transaction, and under the default a second writer's upgrade fails and
        // the whole read is retried (measured: conditional updates 40 % slower under load).
        `--sqlite-url=file:${sqliteDir}/?_txlock=immediate`,
        `--listen-addr=127.0.0.1:${port}`,
        // Its state file (telemetry consent, instance id) would otherwise land in the cwd.
        `--state-dir=${sqliteDir}`,
        '--telemetry=disable',
        '--debug-addr=-',
        '--log-level=warn',
        ...(options.extraFerretdbArgs ?? []),
      ],
      port,
      pidFile,
      logger,
    );
    // Two connections: SQLite takes one writer at a time, and a writer that finds it taken waits
    // in SQLite's busy handler, which polls with sleeps; the driver's queue hands the next command
    // over at once. The second lets a read (a scan, on FerretDB) run beside a write. With 1,000
    // reminders due in a minute, fewer connections meant less lateness (README, Benchmarks).
    const uri = new URL(started.uri);
    uri.searchParams.set('maxPoolSize', '2');
    return { ...started, uri: uri.toString() };
  }

  const memoryServer = await loadMemoryServer();
  if (memoryServer) {
    const dbPath = path.join(dataDir, 'memory-server');
    fs.mkdirSync(dbPath, { recursive: true });
    const server = await memoryServer.MongoMemoryServer.create({ instance: { dbPath, ip: '127.0.0.1' } });
    logger.info({ kind: 'mongodb-memory-server' }, 'embedded database started');
    return {
      kind: 'mongodb-memory-server',
      uri: new URL('taskpilot', server.getUri()).toString(),
      async stop() {
        await server.stop();
      },
    };
  }

  throw new TaskPilotError(
    ErrorCode.EmbeddedDatabase,
    'no MongoDB to use: set MONGODB_URI, or run `npm run services` to build the embedded FerretDB, or put mongod on PATH',
  );
}
