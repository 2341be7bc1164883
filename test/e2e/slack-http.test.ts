import { FakeSlack } from '../../src/playground/fake-slack';
import { interactivityBody, postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';

const FORM = 'application/x-www-form-urlencoded';

describe('Slack HTTP endpoint', () => {
  let slack: FakeSlack;
  let runtime: Runtime & { baseUrl: string };
  let events: string;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    runtime = await startTestRuntime({ mongoUri: uriForDb(uniqueDbName('slack_http')), slackApiUrl: slack.apiUrl });
    events = `${runtime.baseUrl}/slack/events`;
  });

  afterAll(async () => {
    await runtime.connection.dropDatabase().catch(() => undefined);
    await runtime.shutdown();
    await slack.stop();
  });

  it('answers a signed /task help within 3 s and posts Block Kit help to the response URL', async () => {
    const started = Date.now();
    const res = await postSigned(
      events,
      slashCommandBody({ text: 'help', response_url: slack.responseUrl('help-1') }),
      FORM,
      { secret: TEST_SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);

    const response = await slack.waitForResponse('help-1');
    expect(response.body.response_type).toBe('ephemeral');
    const blocks = response.body.blocks as { type: string; text?: { text: string } }[];
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'TaskPilot help' } });
    expect(blocks.map((block) => block.text?.text ?? '').join('\n')).toContain('/task');
  });

  it('answers an empty /task with the same help', async () => {
    const res = await postSigned(
      events,
      slashCommandBody({ text: '', response_url: slack.responseUrl('empty') }),
      FORM,
      {
        secret: TEST_SIGNING_SECRET,
      },
    );
    expect(res.status).toBe(200);
    const response = await slack.waitForResponse('empty');
    expect(JSON.stringify(response.body.blocks)).toContain('TaskPilot help');
  });

  it('rejects a forged signature with 401 and runs no listener', async () => {
    const res = await postSigned(
      events,
      slashCommandBody({ text: 'help', response_url: slack.responseUrl('forged') }),
      FORM,
      {
        secret: TEST_SIGNING_SECRET,
        signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000',
      },
    );
    expect(res.status).toBe(401);
    expect(slack.responses.find((response) => response.id === 'forged')).toBeUndefined();
  });

  it('rejects a request signed with another secret with 401', async () => {
    const res = await postSigned(events, slashCommandBody({ text: 'help' }), FORM, { secret: 'not-our-secret' });
    expect(res.status).toBe(401);
  });

  it('rejects a correctly signed request older than 5 minutes with 401', async () => {
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await postSigned(
      events,
      slashCommandBody({ text: 'help', response_url: slack.responseUrl('stale') }),
      FORM,
      {
        secret: TEST_SIGNING_SECRET,
        timestamp: stale,
      },
    );
    expect(res.status).toBe(401);
    expect(slack.responses.find((response) => response.id === 'stale')).toBeUndefined();
  });

  it('answers the url_verification challenge', async () => {
    const body = JSON.stringify({ type: 'url_verification', token: 't', challenge: 'challenge-accepted-42' });
    const res = await postSigned(events, body, 'application/json', { secret: TEST_SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('challenge-accepted-42');
  });

  const base = {
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: 'U0TEST', team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'deprecated',
    trigger_id: '1.2.3',
  };
  const view = { id: 'V1', callback_id: 'nobody_handles_this', state: { values: {} }, type: 'modal', hash: 'h' };
  it.each([
    [
      'block_actions',
      { actions: [{ action_id: 'nobody_handles_this', block_id: 'b', type: 'button', action_ts: '1' }] },
    ],
    ['view_submission', { view }],
    ['view_closed', { view, is_cleared: false }],
    ['shortcut', { callback_id: 'nobody_handles_this', action_ts: '1' }],
    [
      'message_action',
      {
        callback_id: 'nobody_handles_this',
        action_ts: '1',
        channel: { id: 'C0TEST' },
        message: { ts: '1.1', text: 'x' },
      },
    ],
    ['block_suggestion', { action_id: 'nobody_handles_this', block_id: 'b', value: 'x' }],
  ])('acknowledges an unhandled %s at once instead of Bolt’s 3-second 404', async (type, fields) => {
    const started = Date.now();
    const res = await postSigned(events, interactivityBody({ type, ...base, ...fields }), FORM, {
      secret: TEST_SIGNING_SECRET,
    });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('acknowledges an event no listener handles', async () => {
    const event = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      event_id: 'Ev0UNHANDLED',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'reaction_added',
        user: 'U0TEST',
        reaction: 'tada',
        item: { type: 'message', channel: 'C0TEST', ts: '1.1' },
      },
    });
    const started = Date.now();
    const res = await postSigned(events, event, 'application/json', { secret: TEST_SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects a malformed body with a 4xx and keeps serving', async () => {
    const res = await postSigned(events, '{not json', 'application/json', { secret: TEST_SIGNING_SECRET });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const health = await fetch(`${runtime.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('serves health, readiness and metrics with ack latency by payload kind', async () => {
    expect(await (await fetch(`${runtime.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${runtime.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { mongodb: { ok: true }, scheduler: { ok: true } },
    });

    const metrics = await fetch(`${runtime.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/taskpilot_slack_ack_seconds_count\{kind="command"\} [1-9]/);
    expect(text).toMatch(/taskpilot_slack_requests_total\{kind="block_actions"\} [1-9]/);
    expect(text).toContain('process_resident_memory_bytes');
  });
});
