import { requireBuild, spawnNode } from '../helpers/child';
import { uniqueDbName, uriForDb } from '../helpers/db';

describe('taskpilot playground', () => {
  beforeAll(requireBuild);

  it('answers typed commands through the real signed endpoint and exits at end of input', async () => {
    const run = spawnNode(['bin/taskpilot.js', 'playground'], {
      PATH: process.env.PATH,
      MONGODB_URI: uriForDb(uniqueDbName('playground')),
    });
    run.child.stdin?.end('help\nexit\n');
    const { code } = await run.exited;
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    const out = run.stdout();
    expect(out).toContain('TaskPilot playground');
    expect(out).toContain('/task help');
    expect(out).toContain('== TaskPilot help ==');
    expect(out.trim().endsWith('bye')).toBe(true);
  });
});
