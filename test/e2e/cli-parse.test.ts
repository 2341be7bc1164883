import { requireBuild, spawnNode } from '../helpers/child';

const env = { PATH: process.env.PATH };

describe('taskpilot parse', () => {
  beforeAll(requireBuild);

  it('prints exactly one JSON object in the DESIGN.md shape, without Slack or MongoDB', async () => {
    const run = spawnNode(
      [
        'bin/taskpilot.js',
        'parse',
        '--now',
        '2026-03-04T09:30:00Z',
        '--tz',
        'Europe/Berlin',
        '--parser',
        'fallback',
        'remind <@U0ANA123> to send the report every Monday at 9am',
      ],
      env,
    );
    const { code } = await run.exited;
    expect(code).toBe(0);
    const lines = run.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      intent: 'create_task',
      title: 'send the report',
      dueAt: '2026-03-09T08:00:00Z',
      recurrence: {
        rrule: 'DTSTART;TZID=Europe/Berlin:20260309T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO',
        tz: 'Europe/Berlin',
      },
      occurrences: ['2026-03-09T08:00:00Z', '2026-03-16T08:00:00Z', '2026-03-23T08:00:00Z'],
      assignees: ['U0ANA123'],
      channel: null,
      taskRef: null,
    });
  });

  it('answers a command with its task number', async () => {
    const run = spawnNode(
      ['bin/taskpilot.js', 'parse', '--now', '2026-03-04T09:30:00Z', '--tz', 'UTC', 'done #42'],
      env,
    );
    expect((await run.exited).code).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({
      intent: 'complete_task',
      taskRef: 42,
      dueAt: null,
      occurrences: [],
    });
  });

  it('refuses an unknown zone and a malformed --now on stderr with exit 2', async () => {
    const zone = spawnNode(['bin/taskpilot.js', 'parse', '--tz', 'Mars/Olympus', 'x at 9'], env);
    expect((await zone.exited).code).toBe(2);
    expect(zone.stdout()).toBe('');
    expect(zone.stderr()).toContain('not a time zone I know');

    const now = spawnNode(['bin/taskpilot.js', 'parse', '--now', 'yesterday', 'x'], env);
    expect((await now.exited).code).toBe(2);
    expect(now.stderr()).toContain('--now must be an ISO instant');
  });
});
