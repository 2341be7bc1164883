import { DEFAULT_SANDBOX_IMAGE } from '../../src/config';
import { createDocker, pingDocker } from '../../src/sandbox/docker';
import {
  hardenedCreateOptions,
  runInSandbox,
  SANDBOX_LABEL,
  type SandboxLimits,
} from '../../src/sandbox/run-container';

const docker = createDocker(process.env.DOCKER_HOST);
const image = process.env.SANDBOX_IMAGE ?? DEFAULT_SANDBOX_IMAGE;
const limits: SandboxLimits = { memoryMb: 64, cpus: 0.5, pidsLimit: 64, timeoutSeconds: 20 };
const run = (script: string, overrides: Partial<SandboxLimits> = {}) =>
  runInSandbox(docker, {
    image,
    command: ['sh', '-c', script],
    limits: { ...limits, ...overrides },
    labels: { 'io.taskpilot.test': 'sandbox' },
  });

describe('hardened sandbox container (real Docker)', () => {
  beforeAll(() => pingDocker(docker, 5000));

  afterAll(async () => {
    const left = await docker.listContainers({ all: true, filters: { label: ['io.taskpilot.test=sandbox'] } });
    expect(left).toEqual([]);
  });

  it('runs a command from the local image and reads its output', async () => {
    const result = await run('echo hello from the sandbox; echo to stderr >&2; exit 3');
    expect(result).toMatchObject({
      exitCode: 3,
      stdout: 'hello from the sandbox\n',
      stderr: 'to stderr\n',
      timedOut: false,
      oomKilled: false,
      truncated: false,
    });
  });

  it('runs as nobody with a read-only root, a writable /workspace and no capabilities', async () => {
    const result = await run(
      'id -u; touch /etc/owned 2>/dev/null && echo root-writable || echo root-readonly; echo ok > /workspace/file && cat /workspace/file; grep CapEff /proc/self/status',
    );
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('65534');
    expect(lines[1]).toBe('root-readonly');
    expect(lines[2]).toBe('ok');
    expect(lines[3]).toMatch(/^CapEff:\s+0+$/);
  });

  it('has no network interface but loopback', async () => {
    const result = await run('ls /sys/class/net');
    expect(result.stdout.trim().split(/\s+/)).toEqual(['lo']);
  });

  it('kills a command that outlives its timeout and says so', async () => {
    const result = await run('sleep 30', { timeoutSeconds: 1 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('builds create options that carry every hardening rule and the orphan label', () => {
    const options = hardenedCreateOptions({ image, command: ['true'], limits });
    expect(options.Labels?.[SANDBOX_LABEL]).toBe('true');
    expect(options.HostConfig).toMatchObject({
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      PidsLimit: 64,
    });
  });
});

describe('hardened sandbox against hostile commands (real Docker)', () => {
  afterAll(async () => {
    const left = await docker.listContainers({ all: true, filters: { label: ['io.taskpilot.test=sandbox'] } });
    expect(left).toEqual([]);
  });

  it('contains a fork bomb: forks fail at the pids limit and the shell lives on', async () => {
    // The shell waits with builtins only: in busybox sh a fork that fails ends the shell, so a
    // `sleep` forked while the bomb holds every pid would end it (as it did under a loaded CI).
    // It waits on a FIFO made before the bomb (`read -t` sleeps there), not in a counting loop,
    // which the bomb's CPU use stretched past the timeout on a loaded CI.
    const result = await run(
      'mkfifo wait; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; bomb() { bomb | bomb & }; bomb; read -t 3 x <> wait; echo survived',
      { pidsLimit: 32, timeoutSeconds: 10 },
    );
    expect(result.stdout).toMatch(/^32\n/);
    expect(result.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
    expect(result.stdout).toContain('survived');
  });

  it('caps an output flood, keeps the start, and the process stays responsive meanwhile', async () => {
    // The longest gap between ticks of a 50 ms timer while 10 MB stream through: the event loop.
    let last = Date.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      longestGap = Math.max(longestGap, Date.now() - last);
      last = Date.now();
    }, 50);
    const result = await run('yes flood | head -c 10000000; echo done >&2', { outputCapBytes: 64 * 1024 });
    clearInterval(ticker);
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBe(64 * 1024);
    expect(result.stdout.startsWith('flood\nflood\n')).toBe(true);
    expect(result.stderr).toBe('done\n');
    expect(longestGap).toBeLessThan(1000);
  });

  it('enforces the memory limit with no swap and reports out of memory', async () => {
    const result = await run('x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo kept', { memoryMb: 32 });
    expect(result.oomKilled).toBe(true);
    expect(result.stdout).not.toContain('kept');
  });

  // /tmp is a small noexec tmpfs (the session keeps its pid files there): writable, never runnable.
  it('cannot write to the root filesystem, nor run anything written to /tmp', async () => {
    const result = await run(
      'for d in / /etc /usr /home /var; do touch $d/x 2>/dev/null && echo "wrote $d"; done; cp /bin/busybox /tmp/b && /tmp/b true 2>/dev/null && echo "ran /tmp"; echo end',
    );
    expect(result.stdout).toBe('end\n');
  });
});
