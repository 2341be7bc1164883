import { requireBuild, spawnNode } from '../helpers/child';

const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME };

describe('taskpilot start', () => {
  beforeAll(requireBuild);

  it('exits 1 with one line naming SLACK_SIGNING_SECRET when it is missing', async () => {
    const run = spawnNode(['bin/taskpilot.js', 'start'], { ...baseEnv, SLACK_BOT_TOKEN: 'xoxb-test' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^taskpilot: invalid configuration: SLACK_SIGNING_SECRET is required/);
    expect(run.stdout()).toBe('');
  });

  it('exits 1 naming a malformed variable and what it expects', async () => {
    const run = spawnNode(['bin/taskpilot.js', 'start'], {
      ...baseEnv,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_BOT_TOKEN: 'xoxb-test',
      PORT: 'eighty',
    });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.stderr().trim().split('\n')).toEqual([
      'taskpilot: invalid configuration: PORT must be a TCP port between 0 and 65535',
    ]);
  });

  it('refuses an unknown role with a clear message', async () => {
    const run = spawnNode(['bin/taskpilot.js', 'start', '--role', 'chef'], baseEnv);
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    expect(run.stderr()).toContain('expected one of web, worker, all');
  });
});
