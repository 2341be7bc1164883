import { requireBuild, spawnNode } from '../helpers/child';

const env = { PATH: process.env.PATH, DOCKER_HOST: process.env.DOCKER_HOST, SANDBOX_IMAGE: process.env.SANDBOX_IMAGE };
const sandboxCli = (args: string[], environment: Record<string, string | undefined> = env) =>
  spawnNode(['bin/taskpilot.js', 'sandbox', 'run', ...args], environment);

async function json(args: string[], environment?: Record<string, string | undefined>) {
  const run = sandboxCli(args, environment);
  const { code } = await run.exited;
  expect(code).toBe(0);
  const lines = run.stdout().trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

describe('taskpilot sandbox run (real Docker)', () => {
  beforeAll(requireBuild);

  it('prints one JSON object with the exit code and masked output, on the locally built image', async () => {
    const result = await json(
      ['--', 'sh', '-c', 'echo hi; echo "key sk-$(printf proj)-abcdefghijklmnopqrstuvwxyz0123"; echo oops >&2; exit 3'],
      { ...env, SANDBOX_IMAGE: undefined },
    );
    expect(Object.keys(result).sort()).toEqual(
      ['durationMs', 'exitCode', 'oomKilled', 'stderr', 'stdout', 'timedOut', 'truncated'].sort(),
    );
    expect(result).toMatchObject({
      exitCode: 3,
      stdout: 'hi\nkey [masked]\n',
      stderr: 'oops\n',
      timedOut: false,
      oomKilled: false,
      truncated: false,
    });
  });

  it('masks configured secret values too', async () => {
    const result = await json(['--', 'sh', '-c', 'echo "$0"', 'operator-secret-value'], {
      ...env,
      AGENT_SECRET_VALUES: 'operator-secret-value',
    });
    expect(result.stdout).toBe('[masked]\n');
  });

  it('honours --timeout, --memory and --network none', async () => {
    expect(await json(['--timeout', '1', '--', 'sleep', '10'])).toMatchObject({ timedOut: true, exitCode: null });
    expect(
      await json(['--memory', '16', '--', 'sh', '-c', 'x=$(head -c 50000000 /dev/zero | tr "\\0" a); echo no']),
    ).toMatchObject({ oomKilled: true });
    expect(await json(['--network', 'none', '--', 'ls', '/sys/class/net'])).toMatchObject({ stdout: 'lo\n' });
  });

  it('explains a bad option on stderr with exit code 2', async () => {
    const run = sandboxCli(['--network', 'host', '--', 'true']);
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    expect(run.stderr()).toMatch(/none or bridge/);
  });
});
