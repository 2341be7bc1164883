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
