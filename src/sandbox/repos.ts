/**
 * Clones the repository an agent works on, on the host, before it is bind-mounted read-only into
 * the sandbox. Only https URLs whose host is on the workspace's allow-list are cloned, by a `git`
 * that reads no user or system config, runs no hooks, follows no redirects and speaks no other
 * protocol; the clone is capped in time and in size on disk.
 */
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode, TaskPilotError, UserInputError } from '../errors';

export interface RepoPolicy {
  /** Allow-listed hosts, "host" or "host:port" (lower-case compare). Empty = no repositories allowed. */
  allowedHosts: string[];
  /** Largest checkout allowed on disk, bytes. */
  maxBytes: number;
  /** Wall-clock cap on the clone. */
  timeoutMs: number;
  /** Extra CA bundle for https (tests serve a local repo with a self-signed cert): passed as GIT_SSL_CAINFO. */
  caFile?: string;
}

export interface ClonedRepo {
  dir: string;
  bytes: number;
  commit: string;
  cleanup(): Promise<void>;
}

export type RepoUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const EXAMPLE = 'https://github.com/owner/repo.git';
const SIZE_POLL_MS = 250;
const STDERR_CAP = 8 * 1024;

const refuse = (reason: string): RepoUrlCheck => ({ ok: false, reason });

/** "host" or "host:port", lower-case; the https default port is the same as none. */
function normaliseHost(entry: string): string {
  return entry.trim().toLowerCase().replace(/:443$/, '');
}

/** Checks a repository URL against the policy; the reason is a kind sentence fit to show a Slack user. */
export function checkRepoUrl(raw: string, allowedHosts: string[]): RepoUrlCheck {
  if (raw.length === 0) return refuse(`Please give me a repository URL, like ${EXAMPLE}.`);
  if (/\s/.test(raw)) return refuse("A repository URL can't contain spaces or line breaks.");
  if (raw.startsWith('-')) return refuse(`That doesn't look like a repository URL. Please use one like ${EXAMPLE}.`);

  if (!/^https:\/\//i.test(raw)) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
    if (scheme === 'http') return refuse('I only clone over https. Please use the https:// address instead.');
    if (scheme) {
      return refuse(
        `I only clone over https, so ${scheme}:// addresses aren't supported. Please use the https:// address.`,
      );
    }
    if (/^[a-z][a-z0-9+.-]*::/i.test(raw)) {
      return refuse('I only clone plain https:// addresses, not git transport helpers.');
    }
    if (/^[^/]+:/.test(raw)) {
      return refuse('That looks like an SSH address. I only clone over https, so please use the https:// address.');
    }
    return refuse(`I can only clone from a full https:// address, not a local path. Please use one like ${EXAMPLE}.`);
  }

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(`That isn't a valid URL. Please use one like ${EXAMPLE}.`);
  }
  if (url.protocol !== 'https:' || !url.hostname) {
    return refuse(`That isn't a valid URL. Please use one like ${EXAMPLE}.`);
  }
  if (url.username || url.password) {
    return refuse(
      'Please remove the username and password from the URL: credentials in a link can leak into logs and chat.',
    );
  }

  const allowed = new Set(allowedHosts.map(normaliseHost).filter(Boolean));
  if (allowed.size === 0) {
    return refuse(
      "Cloning repositories isn't enabled in this workspace: no hosts are on the allow-list yet. A workspace admin can add one.",
    );
  }
  if (!allowed.has(normaliseHost(url.host))) {
    return refuse(
      `I can't clone from ${url.host}: it isn't on this workspace's list of allowed repository hosts. A workspace admin can add it to the allow-list.`,
    );
  }
  url.hash = '';
  return { ok: true, url };
}

/** A refusal with a kind message for people, and git's own words for the logs. */
class RepoCloneError extends UserInputError {
  constructor(userMessage: string, logMessage: string, cause?: unknown) {
    super(userMessage);
    this.name = 'RepoCloneError';
    this.message = logMessage;
    if (cause !== undefined) this.cause = cause;
  }
}

/** Strips anything that looks like credentials in a URL from text meant for logs. */
const redact = (text: string) => text.replace(/\/\/[^/\s@]+@/g, '//[redacted]@');

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : Number(mb.toPrecision(2))} MB`;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Apparent size of every file under `dir`; symlinks are counted, never followed. Missing = 0. */
async function diskUsage(dir: string): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  let total = 0;
  for (const name of entries) {
    const file = path.join(dir, name);
    // git renames and deletes temporary files while it runs: a vanished entry counts as nothing.
    const stats = await lstat(file).catch((error: unknown) => (isMissing(error) ? undefined : Promise.reject(error)));
    if (!stats) continue;
    total += stats.isDirectory() ? await diskUsage(file) : stats.size;
  }
  return total;
}

/**
 * `chmod -R a+rX`: everyone may read, and enter directories and run what was already executable.
 * Symlinks are skipped: chmod would follow them to whatever they point at on the host.
 */
async function makeWorldReadable(target: string): Promise<void> {
  const stats = await lstat(target);
  if (stats.isSymbolicLink()) return;
  const mode = stats.mode & 0o7777;
  if (stats.isDirectory()) {
    await chmod(target, mode | 0o555);
    for (const name of await readdir(target)) await makeWorldReadable(path.join(target, name));
  } else {
    await chmod(target, mode | 0o444 | (mode & 0o111 ? 0o111 : 0));
  }
}

interface GitRun {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Kills git and everything it started (git-remote-https, index-pack): they share a process group. */
  kill(): void;
}

function runGit(args: string[], env: NodeJS.ProcessEnv): GitRun {
  const child = spawn('git', args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < STDERR_CAP) stderr = (stderr + chunk).slice(0, STDERR_CAP);
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': the pipes stay open until every process of the group has gone.
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  const kill = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  return { done, kill };
}

type Stopped = { why: 'timeout' } | { why: 'too-big'; bytes: number } | { why: 'aborted' };

/** Runs the clone, stopping it at the deadline, past the size cap or on abort. */
async function cloneWithLimits(
  args: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
  policy: RepoPolicy,
  signal?: AbortSignal,
): Promise<{ stopped?: Stopped; code: number | null; stderr: string }> {
  const git = runGit(args, env);
  let stopped: Stopped | undefined;
  let finished = false;
  const stop = (reason: Stopped) => {
    if (finished) return;
    stopped ??= reason;
    git.kill();
  };
  const onAbort = () => stop({ why: 'aborted' });
  const timer = setTimeout(() => stop({ why: 'timeout' }), policy.timeoutMs);
  let polling = false;
  const poller = setInterval(() => {
    if (polling || stopped) return;
    polling = true;
    diskUsage(dir)
      .then((bytes) => {
        if (bytes > policy.maxBytes) stop({ why: 'too-big', bytes });
      })
      .catch(() => undefined)
      .finally(() => {
        polling = false;
      });
  }, SIZE_POLL_MS);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  try {
    const { code, stderr } = await git.done;
    return { stopped, code, stderr };
  } finally {
    finished = true;
    clearTimeout(timer);
    clearInterval(poller);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Shallow-clones an allowed https repository into a fresh temp dir; throws UserInputError (src/errors.ts) for refusals, including too big / too slow. */
export async function cloneRepo(url: string, policy: RepoPolicy, signal?: AbortSignal): Promise<ClonedRepo> {
  const check = checkRepoUrl(url, policy.allowedHosts);
  if (!check.ok) throw new UserInputError(check.reason);
  const href = check.url.href;
  const cancelled = () =>
    new RepoCloneError(
      `I stopped cloning ${href} because it was cancelled.`,
      `clone of ${href} aborted`,
      signal?.reason,
    );
  if (signal?.aborted) throw cancelled();

  const root = await mkdtemp(path.join(tmpdir(), 'taskpilot-repo-'));
  const cleanup = () => rm(root, { recursive: true, force: true });
  const dir = path.join(root, 'repo');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: root,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...(policy.caFile ? { GIT_SSL_CAINFO: policy.caFile } : {}),
  };
  // biome-ignore format: one option per line reads better than Biome's packing
  const args = [
    '-c', 'protocol.allow=never',
    '-c', 'protocol.https.allow=always',
    '-c', 'http.followRedirects=false',
    '-c', 'core.hooksPath=/dev/null',
    'clone', '--depth', '1', '--single-branch', '--no-tags', '--quiet', '--', href, dir,
  ];

  try {
    const { stopped, code, stderr } = await cloneWithLimits(args, env, dir, policy, signal);
    const log = redact(stderr.trim());
    const tooBig = (bytes: number) =>
      new RepoCloneError(
        `I couldn't clone ${href}: it is larger than the ${formatMb(policy.maxBytes)} limit for repositories.`,
        `clone of ${href} stopped at ${bytes} bytes, over the ${policy.maxBytes}-byte cap`,
      );
    if (stopped?.why === 'aborted') throw cancelled();
    if (stopped?.why === 'timeout') {
      throw new RepoCloneError(
        `I couldn't clone ${href}: it took longer than ${Number((policy.timeoutMs / 1000).toFixed(1))} s, so I stopped. The server may be slow or the repository too large.`,
        `clone of ${href} timed out after ${policy.timeoutMs} ms${log ? `: ${log}` : ''}`,
      );
    }
    if (stopped?.why === 'too-big') throw tooBig(stopped.bytes);
    if (code !== 0) {
      throw new RepoCloneError(
        `I couldn't clone ${href}: repository not found or not reachable.`,
        `git clone of ${href} exited with ${code}: ${log || '(no output)'}`,
      );
    }

    const bytes = await diskUsage(dir);
    if (bytes > policy.maxBytes) throw tooBig(bytes);
    const head = await runGit(['-C', dir, 'rev-parse', '--verify', 'HEAD'], env).done;
    if (head.code !== 0) {
      throw new RepoCloneError(
        `I couldn't clone ${href}: the repository has no commits yet.`,
        `git rev-parse HEAD in the clone of ${href} exited with ${head.code}: ${redact(head.stderr.trim())}`,
      );
    }
    await makeWorldReadable(root);
    return { dir, bytes, commit: head.stdout.trim(), cleanup };
  } catch (error) {
    await cleanup();
    if (error instanceof TaskPilotError) throw error;
    throw new TaskPilotError(ErrorCode.SandboxFailed, `cloning ${href} failed: ${String(error)}`, undefined, {
      cause: error,
    });
  }
}
