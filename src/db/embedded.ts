import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, TaskPilotError } from '../errors';
import type { Logger } from '../logger';
import { freePort } from '../util/net';
import { packageRoot } from '../util/package-root';
import { Supervisor } from './supervisor';

/**
 * The embedded default store: when no MONGODB_URI is configured, TaskPilot starts a local
 * MongoDB-wire server of its own with its data under the data folder. In order of preference:
 * a `mongod` on PATH, the FerretDB binary that scripts/services.sh builds, and
 * mongodb-memory-server when an operator has installed it.
 */
export interface EmbeddedMongo {
  uri: string;
  kind: 'mongod' | 'ferretdb' | 'mongodb-memory-server';
  /** Restarts a server process that dies unexpectedly (not for mongodb-memory-server, which runs its own). */
  supervisor?: Supervisor;
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
  /** Connections to an embedded FerretDB (default 2, see below). */
  poolSize?: number;
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

/**
 * Starts a server binary under supervision: it is restarted on the same port and data if it dies
 * while TaskPilot runs (see Supervisor), and only a stop asked for ends it.
 */
async function startProcess(
  kind: 'mongod' | 'ferretdb',
  binary: string,
  args: string[],
  port: number,
  pidFile: string,
  logger: Logger,
): Promise<EmbeddedMongo> {
  const supervisor = await Supervisor.start({ kind, binary, args, port, pidFile, logger });
  return {
    kind,
    uri: `mongodb://127.0.0.1:${port}/taskpilot`,
    supervisor,
    stop: () => supervisor.stop(),
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
    // Two connections by default: SQLite takes one writer at a time, and a writer that finds it
    // taken waits in SQLite's busy handler, which polls with sleeps; the driver's queue hands the
    // next command over at once. The second lets a read run beside a write. Measured again with
    // the pushdown patches (README, Benchmarks); TASKPILOT_EMBEDDED_POOL changes it.
    const uri = new URL(started.uri);
    uri.searchParams.set('maxPoolSize', String(options.poolSize ?? 2));
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
