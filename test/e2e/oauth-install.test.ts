import { randomBytes } from 'node:crypto';
import { FakeSlack } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';

describe('OAuth install for many workspaces', () => {
  let slack: FakeSlack;
  let runtime: Runtime & { baseUrl: string };

  beforeAll(async () => {
    slack = await FakeSlack.start();
    runtime = await startTestRuntime({
      mongoUri: uriForDb(uniqueDbName('oauth')),
      slackApiUrl: slack.apiUrl,
      env: {
        SLACK_BOT_TOKEN: '',
        SLACK_CLIENT_ID: '111.222',
        SLACK_CLIENT_SECRET: 'client-secret',
        SLACK_STATE_SECRET: 'state-secret',
        TASKPILOT_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      },
    });
  });

  afterAll(async () => {
    await runtime.connection.dropDatabase().catch(() => undefined);
    await runtime.shutdown();
    await slack.stop();
  });

  it('installs through /slack/install and the redirect, stores the token encrypted, then serves that workspace', async () => {
    const install = await fetch(`${runtime.baseUrl}/slack/install`, { redirect: 'manual' });
    expect(install.status).toBe(302);
    const authorizeUrl = new URL(install.headers.get('location') ?? '');
    expect(authorizeUrl.pathname).toBe('/oauth/v2/authorize');
    expect(authorizeUrl.searchParams.get('client_id')).toBe('111.222');
    expect(authorizeUrl.searchParams.get('scope')?.split(',')).toContain('commands');
    const state = authorizeUrl.searchParams.get('state') ?? '';
    const cookie = (install.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    const callback = await fetch(
      `${runtime.baseUrl}/slack/oauth_redirect?code=the-code&state=${encodeURIComponent(state)}`,
      {
        headers: { cookie },
        redirect: 'manual',
      },
    );
    expect(callback.status).toBe(200);

    // The installer's own Web API call went to SLACK_API_URL.
    const exchange = await slack.waitForCall('oauth.v2.access');
    expect(exchange.body).toMatchObject({ code: 'the-code', client_id: '111.222' });

    const stored = await runtime.connection.db?.collection('installations').findOne({ key: 'T0OAUTH' });
    expect(stored).toBeTruthy();
    expect(JSON.stringify(stored)).not.toContain('xoxb-installed-token');

    const res = await postSigned(
      `${runtime.baseUrl}/slack/events`,
      slashCommandBody({ team_id: 'T0OAUTH', text: 'help', response_url: slack.responseUrl('oauth-help') }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const response = await slack.waitForResponse('oauth-help');
    expect(JSON.stringify(response.body.blocks)).toContain('TaskPilot help');
  });
});
