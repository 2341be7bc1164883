import { CircuitState } from 'cockatiel';
import nock from 'nock';
import type { ModelAnswer } from '../../../src/parse/openai-parser';
import { RequestParser, type RequestParserOptions } from '../../../src/parse/request-parser';
import { EMPTY_WHEN } from '../../../src/parse/types';
import { runTaskCommand } from '../../../src/tasks/task-commands';
import { TaskService } from '../../../src/tasks/task-service';
import { UsageService } from '../../../src/usage/usage-service';
import { openTestDatabase, type TestDatabase } from '../../helpers/db';
import { testLogger } from '../../helpers/logger';

const OPENAI = 'https://api.openai.com';
const NOW = new Date('2026-03-04T09:30:00Z'); // Wednesday 10:30 in Berlin
const TZ = 'Europe/Berlin';

function completion(answer: ModelAnswer, usage = { prompt_tokens: 120, completion_tokens: 40 }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_772_616_600,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: JSON.stringify(answer), refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

const tomorrowAt5: ModelAnswer = {
  intent: 'create_task',
  title: 'Call Mom',
  taskRef: null,
  when: { ...EMPTY_WHEN, dayOffset: 1, time: { hour: 17, minute: 0 } },
};

describe('OpenAI structured output with the deterministic parser behind it', () => {
  let database: TestDatabase;
  let usage: UsageService;
  let team = 0;
  const nextTeam = () => `T0AI${++team}`;

  const parser = (overrides: Partial<RequestParserOptions> = {}) =>
    new RequestParser({
      mode: 'auto',
      logger: testLogger(),
      usage,
      openai: { apiKey: 'sk-test', model: 'gpt-4o-mini' },
      timeoutMs: 2500,
      ...overrides,
    });

  beforeAll(async () => {
    database = await openTestDatabase('openai_parser');
    usage = new UsageService(database.connection, 5, () => NOW);
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    nock.enableNetConnect();
    // Jest shares `http` across the files of a worker: left active, nock's patched sockets break
    // dockerode's exec calls in the next file (EPIPE).
    nock.restore();
    await database.cleanup();
  });

  it('resolves the model’s wall-clock answer in the user’s zone, stores the task and records usage', async () => {
    let sent: { response_format?: { type: string }; messages?: { content: string }[] } = {};
    nock(OPENAI)
      .post('/v1/chat/completions', (body) => {
        sent = body;
        return true;
      })
      .reply(200, completion(tomorrowAt5));
    const teamId = nextTeam();
    const tasks = new TaskService(database.connection, () => NOW);
    await tasks.init();

    const message = await runTaskCommand(
      {
        command: '/task',
        text: 'remind me to call mom tmrw at 5',
        teamId,
        userId: 'U1',
        channelId: 'C1',
        tz: TZ,
        isAdmin: false,
        now: NOW,
      },
      // The digest service is not reached by a create.
      { tasks, parser: parser(), digests: undefined as never },
    );
    expect(message.text).toBe('Task #1 created: Call Mom');
    const stored = await tasks.get(teamId, 1);
    // 17:00 in Berlin (UTC+1 in March) is 16:00 UTC: the zone was applied by our code.
    expect(stored.dueAt?.toISOString()).toBe('2026-03-05T16:00:00.000Z');
    expect(sent.response_format?.type).toBe('json_schema');
    expect(sent.messages?.[1]?.content).toContain('Today is Wednesday 2026-03-04, 10:30 local time.');
    expect(JSON.stringify(sent)).not.toMatch(/Europe\/Berlin|UTC|\+01:00/);

    const month = await usage.month(teamId);
    expect(month).toMatchObject({ calls: 1, failures: 0, promptTokens: 120, completionTokens: 40 });
    expect(month?.costUsd).toBeCloseTo((120 * 0.15 + 40 * 0.6) / 1e6, 12);
  });

  it('takes mentions from Slack’s markup, not from the model', async () => {
    nock(OPENAI)
      .post('/v1/chat/completions')
      .reply(200, completion({ ...tomorrowAt5, title: 'send the report' }));
    const result = await parser().parse('remind <@U0ANA123> to send the report tomorrow at 5pm', {
      now: NOW,
      tz: TZ,
      teamId: nextTeam(),
    });
    expect(result).toMatchObject({ parser: 'openai', assignees: ['U0ANA123'], title: 'send the report' });
  });

  it.each([
    [
      'a timeout',
      () => nock(OPENAI).post('/v1/chat/completions').delay(5000).reply(200, completion(tomorrowAt5)),
      'timeout',
      1,
    ],
    [
      'a 500 (retried once)',
      () =>
        nock(OPENAI)
          .post('/v1/chat/completions')
          .times(2)
          .reply(500, { error: { message: 'boom' } }),
      'http 500',
      2,
    ],
    [
      'a 429',
      () =>
        nock(OPENAI)
          .post('/v1/chat/completions')
          .reply(429, { error: { message: 'slow down' } }, { 'retry-after': '20' }),
      'http 429',
      1,
    ],
  ])('falls back to the deterministic answer within 3 s on %s', async (_, arrange, reason, calls) => {
    const scope = arrange();
    let requests = 0;
    scope.on('request', () => {
      requests += 1;
    });
    const teamId = nextTeam();
    const started = Date.now();
    const result = await parser().parse('remind me to call mom tomorrow at 5pm', { now: NOW, tz: TZ, teamId });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({
      parser: 'fallback',
      fallbackReason: reason,
      title: 'call mom',
      dueAt: '2026-03-05T16:00:00Z',
    });
    expect(requests).toBe(calls);
    expect(await usage.month(teamId)).toMatchObject({ calls: 1, failures: 1 });
  });

  it('opens the breaker after repeated failures, answers without calling OpenAI, and closes again', async () => {
    const subject = parser({ breaker: { consecutiveFailures: 2, halfOpenAfterMs: 300 } });
    const request = { now: NOW, tz: TZ, teamId: nextTeam() };
    nock(OPENAI)
      .post('/v1/chat/completions')
      .times(2)
      .reply(500, { error: { message: 'down' } });
    expect((await subject.parse('water plants at 9', request)).fallbackReason).toBe('http 500');
    expect(subject.circuitState).toBe(CircuitState.Open);

    // Open: no request reaches OpenAI (none is mocked, and net connect is off).
    const open = await subject.parse('water plants at 9', request);
    expect(open).toMatchObject({ parser: 'fallback', fallbackReason: 'circuit open' });

    // After halfOpenAfter, one trial call goes through and its success closes the circuit.
    await new Promise((resolve) => setTimeout(resolve, 350));
    nock(OPENAI).post('/v1/chat/completions').reply(200, completion(tomorrowAt5));
    expect((await subject.parse('call mom tomorrow at 5pm', request)).parser).toBe('openai');
    expect(subject.circuitState).toBe(CircuitState.Closed);
  });

  it('uses the deterministic parser for a workspace over its monthly budget, without calling OpenAI', async () => {
    const teamId = nextTeam();
    await usage.record({ teamId, model: 'gpt-4o', promptTokens: 2_000_000, completionTokens: 0, failed: false });
    const result = await parser().parse('call mom tomorrow at 5pm', { now: NOW, tz: TZ, teamId });
    expect(result).toMatchObject({ parser: 'fallback', fallbackReason: 'over budget', dueAt: '2026-03-05T16:00:00Z' });
  });

  it('never calls OpenAI in fallback mode or without a key', async () => {
    const off = await parser({ mode: 'fallback' }).parse('call mom tomorrow at 5pm', { now: NOW, tz: TZ });
    expect(off).toMatchObject({ parser: 'fallback', fallbackReason: null });
    const keyless = await parser({ openai: undefined }).parse('call mom tomorrow at 5pm', { now: NOW, tz: TZ });
    expect(keyless).toMatchObject({ parser: 'fallback', fallbackReason: 'no OpenAI key' });
  });
});
