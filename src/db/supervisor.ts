import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { ErrorCode, TaskPilotError } from '../errors';
import type { Logger } from '../logger';
import { waitForPort } from '../util/net';

export interface SupervisorOptions {
  /** What the process is, for log lines ("ferretdb", "mongod"). */
  kind: string;
  binary: string;
  args: string[];
  /** The port it listens on: a restart listens on the same one, so clients reconnect by themselves. */
  port: number;
  /** Names the running process and its owner (`<pid> <owner pid>`); rewritten at each restart. */
  pidFile: string;
  logger: Logger;
  /** Restarts allowed within `windowMs`; one more exit in that window and it stays down. */
  maxRestarts?: number;
  windowMs?: number;
  /**
   * The wait before the first restart in a window (500 ms: long enough not to spin on a server
   * that dies at once, short enough for operations waiting on server selection to ride it out);
   * it doubles with each restart after, up to `maxDelayMs`.
   */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How long a start may take before it counts as failed. */
  startTimeoutMs?: number;
}

/** How the supervised server is doing: readiness and tests read it. */
export type SupervisedState = 'running' | 'restarting' | 'failed' | 'stopped';

const STDERR_LINES_KEPT = 20;

interface Started {
  child: ChildProcess;
  /** Resolves when the child exits, with how it ended and its last stderr lines. */
  exit: Promise<{ how: string; stderr: string[] }>;
}

/**
 * Keeps a local database server running: a child that dies without being asked to (SIGKILL, the
 * OOM killer, a crash) is started again on the same port and data, after a short backoff, so the
 * driver's own reconnect finds it and the app carries on without a restart. A few quick restarts
 * are allowed per window; a server that keeps dying is left down, logged as an error, for readiness
 * and an operator to see, rather than restarted in a tight loop. A stop asked for is never undone.
 */
export class Supervisor {
  private current: Started | undefined;
  private readonly restartTimes: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private status: SupervisedState = 'running';
  private restartCount = 0;
  /** Set by stop(): nothing restarts after it. */
  private stopRequested = false;

  /**
   * The server is in a group of its own, so nothing stops it with TaskPilot: an exit that skips
   * the graceful stop (process.exit after a fatal error or a second signal) asks it to stop too.
   */
  private readonly onProcessExit = () => {
    this.current?.child.kill('SIGTERM');
  };

  private constructor(private readonly options: SupervisorOptions) {
    process.once('exit', this.onProcessExit);
  }

  /** Starts the server and supervises it; a first start that fails throws and leaves nothing behind. */
  static async start(options: SupervisorOptions): Promise<Supervisor> {
    const supervisor = new Supervisor(options);
    try {
      supervisor.watch(await supervisor.launch());
    } catch (error) {
      process.off('exit', supervisor.onProcessExit);
      throw error;
    }
    return supervisor;
  }

  get state(): SupervisedState {
    return this.status;
  }

  /** Restarts since the first start. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Readiness: fails while the server is down (restarting, given up on, stopped). */
  assertRunning(): void {
    if (this.status === 'running') return;
    const why = { restarting: 'is restarting', failed: 'kept exiting and is not restarted', stopped: 'is stopped' };
    throw new TaskPilotError(ErrorCode.DatabaseUnavailable, `the embedded ${this.options.kind} ${why[this.status]}`);
  }

  get pid(): number | undefined {
    return this.current?.child.pid;
  }

  /** Stops the server for good: SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 3000): Promise<void> {
    this.stopRequested = true;
    this.status = 'stopped';
    process.off('exit', this.onProcessExit);
    clearTimeout(this.timer);
    await this.restarting;
    const started = this.current;
    this.current = undefined;
    if (started && started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGTERM');
      const force = setTimeout(() => started.child.kill('SIGKILL'), graceMs);
      await started.exit;
      clearTimeout(force);
    }
    fs.rmSync(this.options.pidFile, { force: true });
  }

  private async launch(): Promise<Started> {
    const { kind, binary, args, port, pidFile } = this.options;
    // In a process group of its own: Ctrl-C in a terminal signals the whole foreground group, and
    // the server must stay up while TaskPilot drains, then be stopped by it (a SIGINT that reached
    // it would also read as a crash here).
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const recent: string[] = [];
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      recent.push(...chunk.split('\n').filter(Boolean));
      recent.splice(0, Math.max(0, recent.length - STDERR_LINES_KEPT));
    });
    let exited: string | undefined;
    const exit = new Promise<{ how: string; stderr: string[] }>((resolve) => {
      child.once('exit', (code, signal) => {
        exited = `exited with ${signal ?? `code ${code}`}`;
        resolve({ how: exited, stderr: recent.slice(-3) });
      });
      child.once('error', (error) => {
        exited = error.message;
        // A spawn error emits no 'exit': this is the end of the child.
        if (child.pid === undefined) resolve({ how: exited, stderr: recent.slice(-3) });
      });
    });
    if (child.pid) fs.writeFileSync(pidFile, `${child.pid} ${process.pid}`);

    try {
      await waitForPort(port, {
        timeoutMs: this.options.startTimeoutMs ?? 30_000,
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
    this.options.logger.info({ kind, port, binary, pid: child.pid }, 'embedded database started');
    return { child, exit };
  }

  private watch(started: Started): void {
    this.current = started;
    this.status = 'running';
    void started.exit.then(({ how, stderr }) => {
      if (this.current !== started || this.stopRequested) return;
      this.current = undefined;
      this.options.logger.error(
        { kind: this.options.kind, pid: started.child.pid, how, stderr },
        'embedded database exited unexpectedly',
      );
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    const { kind, logger } = this.options;
    const windowMs = this.options.windowMs ?? 60_000;
    const maxRestarts = this.options.maxRestarts ?? 5;
    const now = Date.now();
    while (this.restartTimes.length > 0 && (this.restartTimes[0] ?? 0) <= now - windowMs) this.restartTimes.shift();
    if (this.restartTimes.length >= maxRestarts) {
      this.status = 'failed';
      fs.rmSync(this.options.pidFile, { force: true });
      logger.error(
        { kind, restarts: this.restartTimes.length, windowMs },
        'embedded database keeps exiting; not restarting it again (restart TaskPilot once the cause is fixed)',
      );
      return;
    }
    const delayMs = Math.min(
      (this.options.initialDelayMs ?? 500) * 2 ** this.restartTimes.length,
      this.options.maxDelayMs ?? 5000,
    );
    this.restartTimes.push(now + delayMs);
    this.status = 'restarting';
    logger.warn({ kind, delayMs, attempt: this.restartTimes.length }, 'restarting the embedded database');
    this.timer = setTimeout(() => {
      this.restarting = this.restart().finally(() => {
        this.restarting = undefined;
      });
    }, delayMs);
    // Nothing to restart for once everything else in the process has finished.
    this.timer.unref();
  }

  private async restart(): Promise<void> {
    if (this.stopRequested) return;
    let started: Started;
    try {
      started = await this.launch();
    } catch (error) {
      this.options.logger.error({ err: error, kind: this.options.kind }, 'embedded database restart failed');
      if (!this.stopRequested) this.scheduleRestart();
      return;
    }
    if (this.stopRequested) {
      // Asked to stop while it was starting: stop() is waiting for this and kills what is current.
      this.current = started;
      return;
    }
    this.restartCount += 1;
    this.watch(started);
    this.options.logger.warn(
      { kind: this.options.kind, pid: started.child.pid, port: this.options.port, restarts: this.restartCount },
      'embedded database restarted',
    );
  }
}
