import type { FakeSlack } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { blockActions, sendEvent, sendInteraction, viewSubmission } from '../helpers/interactions';
import { TEST_SIGNING_SECRET } from '../helpers/runtime';
import { type RuntimeBehindProxy, type StallingProxy, startRuntimeBehindProxy } from '../helpers/stalling-proxy';

const TEAM = 'T0STUCK';
const ANA = 'U0ANA';
/** Far below Slack's 3 s: an ack that waited on the stuck database would take seconds. */
const IMMEDIATE_MS = 500;

/**
 * Acknowledgements never wait on the database. The app reaches MongoDB through a proxy that
 * holds everything, as a swamped or dead server would, for a workspace and a person it has not
 * seen (nothing cached yet); every surface is acknowledged at once anyway, a form's answer comes
 * within Slack's 3 s, and the held work is done once the database answers again.
 */
describe('acks while the database does not answer', () => {
  let behind: RuntimeBehindProxy;
  let proxy: StallingProxy;
  let slack: FakeSlack;
  let runtime: Runtime & { baseUrl: string };

  beforeAll(async () => {
    behind = await startRuntimeBehindProxy('ack_no_db', {
      prepare: (fake) =>
        fake.answer('users.info', (body) => ({ user: { id: body.user, tz: 'Europe/Berlin', is_admin: false } })),
    });
    ({ proxy, slack, runtime } = behind);
  });

  afterAll(async () => {
    await behind?.stop();
  });

  /** Posts a signed request; resolves with its status, body and how long the ack took. */
  async function timed(send: () => Promise<Response>) {
    const started = Date.now();
    const res = await send();
    const text = await res.text();
    return { status: res.status, body: text, ms: Date.now() - started };
  }

  it('acknowledges every surface at once, answers a form within 3 s, and does the work when the database is back', async () => {
    const form = await runtime.services.forms.newForm('Europe/Berlin');
    proxy.stall({ all: true });

    const acks = await Promise.all([
      timed(() =>
        postSigned(
          `${runtime.baseUrl}/slack/events`,
          slashCommandBody({
            text: 'stuck: call the bank tomorrow at 3pm',
            user_id: ANA,
            team_id: TEAM,
            response_url: slack.responseUrl('command'),
          }),
          'application/x-www-form-urlencoded',
          { secret: TEST_SIGNING_SECRET },
        ),
      ),
      timed(() =>
        sendInteraction(runtime.baseUrl, {
          ...blockActions(ANA, slack.responseUrl('button'), {
            action_id: 'task_done',
            block_id: 'b',
            type: 'button',
            value: '1',
          }),
          team: { id: TEAM, domain: 'stuck' },
        }),
      ),
      timed(() =>
        sendInteraction(runtime.baseUrl, {
          type: 'shortcut',
          callback_id: 'create_task',
          trigger_id: '1.2.3',
          team: { id: TEAM, domain: 'stuck' },
          user: { id: ANA, team_id: TEAM },
          api_app_id: 'A0TEST',
        }),
      ),
      timed(() =>
        sendEvent(
          runtime.baseUrl,
          TEAM,
          { type: 'app_mention', user: ANA, text: '<@U0BOT> list', channel: 'C0TEST', ts: '1700000000.000200' },
          { eventId: 'EvStuck1', eventTime: new Date() },
        ),
      ),
    ]);
    for (const ack of acks) {
      expect(ack.status).toBe(200);
      expect(ack.ms).toBeLessThan(IMMEDIATE_MS);
    }

    // A form's answer is its ack: checked without the database, it closes within Slack's 3 s.
    const submitted = await timed(() =>
      sendInteraction(runtime.baseUrl, viewSubmission(TEAM, ANA, { ...form, hash: 'h', state: { values: {} } })),
    );
    expect(submitted.status).toBe(200);
    expect(submitted.ms).toBeLessThan(3000);
    // An empty form: its mistakes are shown in place, which needs no database either.
    expect(JSON.parse(submitted.body)).toEqual(expect.objectContaining({ response_action: 'errors' }));

    // Nothing has been answered from the database while it is held…
    expect(slack.callsTo('chat.postMessage').filter((call) => call.body.thread_ts === '1700000000.000200')).toEqual([]);
    proxy.resume();
    // …and once it answers, the held command is done and answered.
    const answer = await slack.waitForResponse('command', 20_000);
    expect((answer.body as { text?: string }).text).toContain('stuck: call the bank');
  });
});
