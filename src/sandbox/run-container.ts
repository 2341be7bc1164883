import os from 'node:os';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { CappedBuffer } from './capped-buffer';

/** Every container TaskPilot starts carries this label, so orphans can be found and reaped. */
export const SANDBOX_LABEL = 'io.taskpilot.sandbox';
/** The process that started the container (`host:pid`), so a restarted worker knows its dead parent's. */
export const OWNER_LABEL = 'io.taskpilot.owner';
/** When the container must be gone (epoch ms): any container past it is an orphan, whoever owns it. */
export const DEADLINE_LABEL = 'io.taskpilot.deadline';

export interface SandboxLimits {
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  timeoutSeconds: number;
  /** Size of the writable /workspace tmpfs. */
  workspaceMb?: number;
  /** Bytes kept per stream; the rest is counted and dropped. */
  outputCapBytes?: number;
}

export interface SandboxSpec {
  image: string;
  command: string[];
  limits: SandboxLimits;
  network?: 'none' | 'bridge';
  env?: Record<string, string>;
  /** Extra labels, e.g. the run id; the sandbox label is always added. */
  labels?: Record<string, string>;
  /** Aborting kills the container (the Cancel button). */
  signal?: AbortSignal;
  /** Host directories mounted read-only, host path → container path (a cloned repository). */
  readOnlyMounts?: Record<string, string>;
  /** `host:pid` of this process; see OWNER_LABEL. */
  owner?: string;
}

export interface SandboxResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  oomKilled: boolean;
  cancelled: boolean;
  truncated: boolean;
  durationMs: number;
}

/** The hardened create options: DESIGN.md's sandbox rules in one place. */
export function hardenedCreateOptions(spec: SandboxSpec): Docker.ContainerCreateOptions {
  const { limits } = spec;
  const network = spec.network ?? 'none';
  const memoryBytes = limits.memoryMb * 1024 * 1024;
  return {
    Image: spec.image,
    Cmd: spec.command,
    User: '65534:65534',
    WorkingDir: '/workspace',
    Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
    Labels: {
      ...spec.labels,
      [SANDBOX_LABEL]: 'true',
      [OWNER_LABEL]: spec.owner ?? `${os.hostname()}:${process.pid}`,
      // A minute past the timeout: the runner kills at the timeout, so only an orphan lives longer.
      [DEADLINE_LABEL]: String(Date.now() + (limits.timeoutSeconds + 60) * 1000),
    },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    NetworkDisabled: network === 'none',
    HostConfig: {
      NetworkMode: network,
      ReadonlyRootfs: true,
      Memory: memoryBytes,
      // Equal to Memory: no swap, so the memory limit is a real limit.
      MemorySwap: memoryBytes,
      NanoCpus: Math.round(limits.cpus * 1e9),
      PidsLimit: limits.pidsLimit,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Tmpfs: {
        '/workspace': `rw,nosuid,nodev,size=${limits.workspaceMb ?? 64}m,uid=65534,gid=65534`,
        '/tmp': 'rw,nosuid,nodev,noexec,size=16m,uid=65534,gid=65534',
      },
      Ulimits: [{ Name: 'nofile', Soft: 256, Hard: 256 }],
      Binds: Object.entries(spec.readOnlyMounts ?? {}).map(([host, inside]) => `${host}:${inside}:ro`),
      AutoRemove: false,
      // A tiny init as PID 1 reaps orphaned processes, so zombies do not use up the pids limit.
      Init: true,
    },
  };
}

/**
 * Runs one command in a fresh hardened container and removes it afterwards, whatever happens.
 * Attaches before starting so no early output is lost, and waits for the output stream to end
 * after the container exits, or the tail would be cut.
 */
export async function runInSandbox(docker: Docker, spec: SandboxSpec): Promise<SandboxResult> {
  const started = Date.now();
  const cap = spec.limits.outputCapBytes ?? 1024 * 1024;
  const stdout = new CappedBuffer(cap);
  const stderr = new CappedBuffer(cap);
  const container = await docker.createContainer(hardenedCreateOptions(spec));
  let timedOut = false;
  let cancelled = false;
  const kill = async () => {
    await container.kill().catch(() => undefined);
  };
  const onAbort = () => {
    cancelled = true;
    void kill();
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const out = new PassThrough();
    const err = new PassThrough();
    out.on('data', (chunk: Buffer) => stdout.push(chunk));
    err.on('data', (chunk: Buffer) => stderr.push(chunk));
    docker.modem.demuxStream(stream, out, err);
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });

    await container.start();
    timer = setTimeout(() => {
      timedOut = true;
      void kill();
    }, spec.limits.timeoutSeconds * 1000);
    if (spec.signal?.aborted) onAbort();
    spec.signal?.addEventListener('abort', onAbort, { once: true });

    const waited = (await container.wait()) as { StatusCode: number };
    await ended;
    const state = (await container.inspect()).State;
    return {
      exitCode: timedOut || cancelled ? null : waited.StatusCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut,
      oomKilled: Boolean(state.OOMKilled),
      cancelled,
      truncated: stdout.dropped > 0 || stderr.dropped > 0,
      durationMs: Date.now() - started,
    };
  } finally {
    if (timer) clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
    await container.remove({ force: true }).catch(() => undefined);
  }
}
