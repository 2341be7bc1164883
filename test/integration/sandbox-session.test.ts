import { DEFAULT_SANDBOX_IMAGE } from '../../src/config';
import { createDocker, pingDocker } from '../../src/sandbox/docker';
import { SANDBOX_LABEL, type SandboxLimits } from '../../src/sandbox/run-container';
import { openSandboxSession, type SandboxSession, SandboxSessionGoneError } from '../../src/sandbox/session';

const docker = createDocker(process.env.DOCKER_HOST);
const image = process.env.SANDBOX_IMAGE ?? DEFAULT_SANDBOX_IMAGE;
const TEST_LABEL = 'io.taskpilot.test=session';
const limits: SandboxLimits = { memoryMb: 64, cpus: 0.5, pidsLimit: 64, timeoutSeconds: 30 };
const open = (overrides: Partial<SandboxLimits> = {}, signal?: AbortSignal) =>
  openSandboxSession(docker, {
    image,
    limits: { ...limits, ...overrides },
    labels: { 'io.taskpilot.test': 'session' },
    signal,
  });
const containersWithTestLabel = () => docker.listContainers({ all: true, filters: { label: [TEST_LABEL] } });

describe('live sandbox session (real Docker)', () => {
  let session: SandboxSession;

  beforeAll(async () => {
    await pingDocker(docker, 5000);
    session = await open();
  });

  afterAll(async () => {
    await session.close();
    expect(await containersWithTestLabel()).toEqual([]);
  });

  it('runs commands in the live hardened container and reports output and exit codes', async () => {
    const result = await session.exec(['sh', '-c', 'pwd; id -u; echo oops >&2; exit 3']);
    expect(result).toMatchObject({
      exitCode: 3,
      stdout: '/workspace\n65534\n',
      stderr: 'oops\n',
      timedOut: false,
      truncated: false,
    });
    expect((await session.exec(['true'])).exitCode).toBe(0);
    const missing = await session.exec(['no-such-binary']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('not found');

    const inspected = await docker.getContainer(session.containerId).inspect();
    expect(inspected.Config.Labels[SANDBOX_LABEL]).toBe('true');
    expect(inspected.HostConfig).toMatchObject({ NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'] });
  });

  it('writes stdin to a file, closes it, and the next exec reads it back', async () => {
    const content = `line one\nzwei – drei ✓\n${'x'.repeat(100_000)}\nlast line without newline`;
    const written = await session.exec(['sh', '-c', 'cat > "$1"', 'sh', 'notes.txt'], {
      stdin: content,
      timeoutMs: 5000,
    });
    expect(written).toMatchObject({ exitCode: 0, timedOut: false });

    const read = await session.exec(['cat', '--', 'notes.txt'], { outputCapBytes: 256 * 1024 });
    expect(read.stdout).toBe(content);
    expect(read.truncated).toBe(false);
    // Empty stdin is still a closed stdin.
    expect(
      (await session.exec(['sh', '-c', 'cat > "$1"', 'sh', 'empty'], { stdin: '', timeoutMs: 5000 })).exitCode,
    ).toBe(0);
    expect((await session.exec(['wc', '-c', 'empty'])).stdout.trim()).toBe('0 empty');
  });

  it('caps each stream and says it truncated', async () => {
    const result = await session.exec(['sh', '-c', 'head -c 5000 /dev/zero | tr "\\0" a; echo short >&2'], {
      outputCapBytes: 1000,
    });
    expect(result.stdout).toBe('a'.repeat(1000));
    expect(result.stderr).toBe('short\n');
    expect(result.truncated).toBe(true);
  });

  it('kills only the timed-out command, children included, and the session stays usable', async () => {
    await session.exec(['sh', '-c', 'echo keep > kept.txt']);
    const started = Date.now();
    const result = await session.exec(['sh', '-c', 'echo before; sleep 30 & sleep 30; echo after'], { timeoutMs: 700 });
    expect(result).toMatchObject({ exitCode: null, timedOut: true, stdout: 'before\n' });
    expect(Date.now() - started).toBeLessThan(5000);

    const after = await session.exec(['sh', '-c', 'cat kept.txt; ps -o pid,comm']);
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toContain('keep');
    // Only the container's idle `sleep` is left: both sleeps of the killed command died and were
    // reaped (not left as zombies) by the init.
    const sleeps = after.stdout.split('\n').filter((line) => /\bsleep\b/.test(line));
    expect(sleeps).toHaveLength(1);
    expect(after.stdout).toMatch(/^\s*1\s+docker-init$/m);
    // The killed command's pid file is cleaned up; the one left is this `ls`'s own.
    const tmp = (await session.exec(['ls', '-A', '/tmp'])).stdout.trim().split('\n');
    expect(tmp).toEqual([expect.stringMatching(/^\.exec-[0-9a-f]+\.pid$/)]);
    expect(await session.state()).toEqual({ running: true, oomKilled: false });
  });

  it('runs concurrent execs independently', async () => {
    const [slow, fast] = await Promise.all([
      session.exec(['sh', '-c', 'sleep 30'], { timeoutMs: 500 }),
      session.exec(['echo', 'fast']),
    ]);
    expect(slow.timedOut).toBe(true);
    expect(fast).toMatchObject({ exitCode: 0, stdout: 'fast\n', timedOut: false });
  });

  it('removes its container on close, idempotently, and refuses execs afterwards', async () => {
    const own = await open();
    expect((await containersWithTestLabel()).map((c) => c.Id)).toContain(own.containerId);
    await Promise.all([own.close(), own.close()]);
    await own.close();
    expect((await containersWithTestLabel()).map((c) => c.Id)).not.toContain(own.containerId);
    await expect(own.exec(['true'])).rejects.toMatchObject({ name: 'SandboxSessionGoneError', reason: 'closed' });
    expect(await own.state()).toEqual({ running: false, oomKilled: false });
  });

  it('rejects an exec when the container’s own lifetime runs out under it, and afterwards', async () => {
    const short = await open({ timeoutSeconds: 2 });
    try {
      const running = short.exec(['sh', '-c', 'sleep 30']);
      await expect(running).rejects.toBeInstanceOf(SandboxSessionGoneError);
      await expect(running).rejects.toMatchObject({ reason: 'exited' });
      expect((await short.state()).running).toBe(false);
      await expect(short.exec(['true'])).rejects.toMatchObject({ reason: 'exited' });
    } finally {
      await short.close();
    }
  });

  it('kills the container when the signal aborts', async () => {
    const controller = new AbortController();
    const cancellable = await open({}, controller.signal);
    try {
      const running = cancellable.exec(['sh', '-c', 'sleep 30']);
      setTimeout(() => controller.abort(), 300);
      await expect(running).rejects.toMatchObject({ reason: 'cancelled' });
      expect((await cancellable.state()).running).toBe(false);
    } finally {
      await cancellable.close();
    }
  });
});
