import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { ErrorCode, TaskPilotError } from '../errors';
import { CappedBuffer } from './capped-buffer';
import { hardenedCreateOptions, type SandboxSpec } from './run-container';

export interface ExecResult {
  /** null when the command was killed for its timeout. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface ExecOptions {
  /** Written to the command's stdin, which is then closed (EOF; see `exec` for a caveat). */
  stdin?: string;
  /** Per-command limit; without it the container's remaining lifetime is the limit. */
  timeoutMs?: number;
  /** Bytes kept per stream (default 64 KB); the rest is counted and dropped. */
  outputCapBytes?: number;
}

export interface SandboxSession {
  readonly containerId: string;
  /**
   * Runs one command inside the live container (cwd /workspace, as the container's user).
   * Rejects with `SandboxSessionGoneError` when the container is closed, has exited (its
   * wall-clock cap, an OOM kill, a cancel) or dies while the command runs; a command that fails
   * or times out resolves normally.
   */
  exec(command: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Whether the container was OOM-killed / is gone (inspect). */
  state(): Promise<{ running: boolean; oomKilled: boolean }>;
  /** Kills and removes the container; idempotent, never throws. */
  close(): Promise<void>;
}

export type SessionGoneReason = 'closed' | 'exited' | 'oom_killed' | 'cancelled';

/** The session's container is no longer there to run commands in. */
export class SandboxSessionGoneError extends TaskPilotError {
  constructor(
    readonly reason: SessionGoneReason,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.SandboxFailed, `sandbox session is no longer running (${reason})`, undefined, options);
    this.name = 'SandboxSessionGoneError';
  }
}

const DEFAULT_OUTPUT_CAP = 64 * 1024;
/** How long a killed command's stream gets to end before it is torn down. */
const KILL_GRACE_MS = 2000;
/** How long to wait for the container's own exit to be reported after an exec died of SIGKILL. */
const DEATH_GRACE_MS = 1000;
const SIGKILL_STATUS = 137;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Wraps a command so its shell records its pid in /tmp (a noexec tmpfs: writing is fine). Every
 * exec is a session and process-group leader (runc calls setsid), so on timeout a second exec
 * can `kill -9 -<pid>` the whole group, children included.
 */
function wrapped(command: string[], pidFile: string): string[] {
  const script = `echo $$ > ${pidFile}; "$@"; status=$?; rm -f ${pidFile}; exit $status`;
  return ['sh', '-c', script, 'sh', ...command];
}

/** Waits up to a second for the pid file, kills the group, removes the file (busybox: no `--`). */
function killer(pidFile: string): string[] {
  const script = [
    'i=0',
    `while [ ! -s ${pidFile} ] && [ $i -lt 10 ]; do sleep 0.1; i=$((i+1)); done`,
    `[ -s ${pidFile} ] && kill -9 -$(cat ${pidFile})`,
    `rm -f ${pidFile}`,
  ].join('; ');
  return ['sh', '-c', script];
}

class DockerSandboxSession implements SandboxSession {
  private goneReason: SessionGoneReason | undefined;
  private closing: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    private readonly signal: AbortSignal | undefined,
  ) {
    // A long poll that settles when the container stops, however it stops.
    this.exited = container.wait().then(
      () => this.markExited(),
      () => this.markExited(),
    );
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get containerId(): string {
    return this.container.id;
  }

  private readonly onAbort = () => {
    this.goneReason ??= 'cancelled';
    void this.container.kill().catch(() => undefined);
  };

  private async markExited(): Promise<void> {
    if (this.goneReason) return;
    const { oomKilled } = await this.state();
    this.goneReason ??= oomKilled ? 'oom_killed' : 'exited';
  }

  async exec(command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (command.length === 0) throw new TaskPilotError(ErrorCode.InvalidInput, 'exec needs a command');
    if (this.goneReason) throw new SandboxSessionGoneError(this.goneReason);
    const started = Date.now();
    const cap = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP;
    const stdout = new CappedBuffer(cap);
    const stderr = new CappedBuffer(cap);
    const pidFile = `/tmp/.exec-${randomBytes(8).toString('hex')}.pid`;
    const hasStdin = options.stdin !== undefined;

    const { exec, stream } = await this.startExec(wrapped(command, pidFile), hasStdin);
    const out = new PassThrough();
    const err = new PassThrough();
    out.on('data', (chunk: Buffer) => stdout.push(chunk));
    err.on('data', (chunk: Buffer) => stderr.push(chunk));
    this.docker.modem.demuxStream(stream, out, err);
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      // `on`, not `once`: writing stdin to a command that already exited can error more than once.
      stream.on('error', () => resolve());
    });
    if (hasStdin) {
      // A hijacked stream is a duplex socket: end() half-closes it, which the engine passes on
      // as EOF on the command's stdin; without it `cat > file` never finishes. write() and end()
      // are separate calls: HTTP interceptors (nock's passthrough socket) break end(chunk), and
      // they do not pass the half-close on at all, so callers that can should read a known
      // length (`head -c N`) rather than rely on EOF.
      stream.write(options.stdin);
      stream.end();
    }

    // Without a timeout of its own, the container's lifetime is the command's limit.
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) {
      const timeoutMs = options.timeoutMs;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, timeoutMs);
      });
      try {
        await Promise.race([ended, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } else {
      await ended;
    }

    if (timedOut) {
      await this.killGroup(pidFile);
      await Promise.race([ended, sleep(KILL_GRACE_MS)]);
      stream.destroy();
      if (this.goneReason) throw new SandboxSessionGoneError(this.goneReason);
      return this.result(null, stdout, stderr, true, started);
    }

    const exitCode = await this.exitCodeOf(exec);
    if (exitCode === null || exitCode === SIGKILL_STATUS) {
      // Killed from outside: either the kernel's OOM killer took this command, or the whole
      // container died (its lifetime ran out, it was cancelled or OOM-killed).
      await Promise.race([this.exited, sleep(DEATH_GRACE_MS)]);
      if (this.goneReason) throw new SandboxSessionGoneError(this.goneReason);
    }
    return this.result(exitCode, stdout, stderr, false, started);
  }

  private async startExec(cmd: string[], stdin: boolean): Promise<{ exec: Docker.Exec; stream: Duplex }> {
    try {
      const exec = await this.container.exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: stdin,
        WorkingDir: '/workspace',
        User: '65534:65534',
      });
      const stream = (await exec.start({ hijack: true, stdin })) as Duplex;
      return { exec, stream };
    } catch (error) {
      // 409: the container is stopped; 404: it was removed.
      const status = statusCodeOf(error);
      if (status === 409 || status === 404) {
        await this.markExited();
        throw new SandboxSessionGoneError(this.goneReason ?? 'exited', { cause: error });
      }
      throw error;
    }
  }

  private async killGroup(pidFile: string): Promise<void> {
    try {
      const { stream } = await this.startExec(killer(pidFile), false);
      stream.resume();
      await Promise.race([
        new Promise<void>((resolve) => {
          stream.once('end', resolve);
          stream.once('close', resolve);
          stream.on('error', () => resolve());
        }),
        sleep(KILL_GRACE_MS),
      ]);
      stream.destroy();
    } catch {
      // The container is gone, and the command with it; the caller reports that.
    }
  }

  /** The exit code is reported once the engine notices the process ended; poll briefly. */
  private async exitCodeOf(exec: Docker.Exec): Promise<number | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const info = await exec.inspect().catch(() => undefined);
      if (!info) return null;
      if (!info.Running) return info.ExitCode ?? null;
      await sleep(50);
    }
    return null;
  }

  private result(
    exitCode: number | null,
    stdout: CappedBuffer,
    stderr: CappedBuffer,
    timedOut: boolean,
    started: number,
  ): ExecResult {
    return {
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut,
      truncated: stdout.dropped > 0 || stderr.dropped > 0,
      durationMs: Date.now() - started,
    };
  }

  async state(): Promise<{ running: boolean; oomKilled: boolean }> {
    try {
      const { State } = await this.container.inspect();
      return { running: Boolean(State.Running), oomKilled: Boolean(State.OOMKilled) };
    } catch {
      return { running: false, oomKilled: false };
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.goneReason ??= 'closed';
      this.signal?.removeEventListener('abort', this.onAbort);
      await this.container.remove({ force: true }).catch(() => undefined);
      await this.exited;
    })();
    return this.closing;
  }
}

/**
 * Starts a hardened container that idles (`sleep <timeoutSeconds>`) so tools can exec into it;
 * the container's own lifetime is the wall-clock cap. Aborting `spec.signal` kills it. Always
 * `close()` the session: the container is not auto-removed.
 */
export async function openSandboxSession(docker: Docker, spec: Omit<SandboxSpec, 'command'>): Promise<SandboxSession> {
  if (spec.signal?.aborted) throw new SandboxSessionGoneError('cancelled');
  // The hardened options run an init as pid 1: it reaps what a killed command leaves behind.
  const container = await docker.createContainer(
    hardenedCreateOptions({ ...spec, command: ['sleep', String(spec.limits.timeoutSeconds)] }),
  );
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  }
  const session = new DockerSandboxSession(docker, container, spec.signal);
  if (spec.signal?.aborted) {
    await session.close();
    throw new SandboxSessionGoneError('cancelled');
  }
  return session;
}
