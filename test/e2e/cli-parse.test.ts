import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireBuild, spawnNode } from '../helpers/child';

const env = { PATH: process.env.PATH };
/** `taskpilot parse …` as a child process. */
const parseCli = (args: string[], environment: Record<string, string | undefined>) =>
  spawnNode(['bin/taskpilot.js', 'parse', ...args], environment);

describe('taskpilot parse', () => {
  beforeAll(requireBuild);

  it('prints exactly one JSON object in the DESIGN.md shape, without Slack or MongoDB', async () => {
    const run = parseCli(
      [
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
    const run = parseCli(['--now', '2026-03-04T09:30:00Z', '--tz', 'UTC', 'done #42'], env);
    expect((await run.exited).code).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({
      intent: 'complete_task',
      taskRef: 42,
      dueAt: null,
      occurrences: [],
    });
  });

  it('refuses an unknown zone and a malformed --now on stderr with exit 2', async () => {
    const zone = parseCli(['--tz', 'Mars/Olympus', 'x at 9'], env);
    expect((await zone.exited).code).toBe(2);
    expect(zone.stdout()).toBe('');
    expect(zone.stderr()).toContain('not a time zone I know');

    const now = parseCli(['--now', 'yesterday', 'x'], env);
    expect((await now.exited).code).toBe(2);
    expect(now.stderr()).toContain('--now must be an ISO instant');
  });

  it('asks OpenAI with --parser openai and resolves its wall-clock answer in the zone', async () => {
    const answer = {
      intent: 'create_task',
      title: 'Call Mom',
      taskRef: null,
      when: {
        date: null,
        weekday: null,
        dayOffset: 1,
        inDays: null,
        inMinutes: null,
        time: { hour: 17, minute: 0 },
        recurrence: null,
      },
    };
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'c',
            object: 'chat.completion',
            created: 1,
            model: 'gpt-4o-mini',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: JSON.stringify(answer), refusal: null },
                finish_reason: 'stop',
              },
            ],
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const run = parseCli(
        ['--now', '2026-03-04T09:30:00Z', '--tz', 'America/New_York', '--parser', 'openai', 'call mom tmrw at 5'],
        { ...env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
      );
      expect((await run.exited).code).toBe(0);
      expect(run.stderr()).toBe('');
      // 17:00 in New York on 5 March (EST, UTC-5) is 22:00 UTC.
      expect(JSON.parse(run.stdout())).toMatchObject({ title: 'Call Mom', dueAt: '2026-03-05T22:00:00Z' });
    } finally {
      server.close();
    }
  });

  it('says so on stderr when OpenAI fails and the deterministic parser answers', async () => {
    const run = parseCli(
      ['--now', '2026-03-04T09:30:00Z', '--tz', 'UTC', '--parser', 'openai', 'call mom tomorrow at 5pm'],
      { ...env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    );
    expect((await run.exited).code).toBe(0);
    expect(run.stderr()).toMatch(/^taskpilot parse: OpenAI failed \(.+\); the deterministic parser answered\n$/);
    expect(JSON.parse(run.stdout())).toMatchObject({ title: 'call mom', dueAt: '2026-03-05T17:00:00Z' });
  });

  it('refuses --parser openai without a key', async () => {
    const run = parseCli(['--parser', 'openai', 'x'], env);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain('--parser openai needs OPENAI_API_KEY');
  });
});
