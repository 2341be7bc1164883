import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/db/embedded';
import { FakeSlack } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { freePort } from '../../src/util/net';
import { uriForDb } from '../helpers/db';
import { requireFerretdb } from '../helpers/ferretdb';
import { capturingLogger } from '../helpers/logger';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';

// The server is stopped and started again under the app, so it is one of this test's own.

/**
 * While the database is away for longer than a write retries, a person who asks for something
 * is told within Slack's 3 s that it was not done, kindly, and nothing is stored behind their
 * back; once it is back, the same app serves them again.
 */
describe('requests while MongoDB is down', () => {
  let dataDir: string;
  let port: number;
  let server: EmbeddedMongo | undefined;
  let runtime: (Runtime & { baseUrl: string }) | undefined;
  let slack: FakeSlack;
  const { logger, lines } = capturingLogger('info');
  let sent = 0;

  const startServer = () => startEmbeddedMongo({ dataDir, port, logger: capturingLogger('silent').logger });

  beforeAll(async () => {
    // Needs a FerretDB of its own: without the binary this fails, never skips.
    requireFerretdb();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-outage-'));
    port = await freePort();
    server = await startServer();
    slack = await FakeSlack.start();
    runtime = await startTestRuntime({
      mongoUri: uriForDb('tp_outage', server.uri),
      slackApiUrl: slack.apiUrl,
      logger,
    });
  });

  afterAll(async () => {
    await runtime?.shutdown();
    await server?.stop();
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** `/task <text>`: the ack's status and time, and the answer's text and time from the request. */
  async function task(text: string) {
    const id = `o${++sent}`;
    const started = Date.now();
    const res = await postSigned(
      `${runtime?.baseUrl}/slack/events`,
      slashCommandBody({ text, user_id: 'U0OUTAGE', team_id: 'T0TEST', response_url: slack.responseUrl(id) }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    const ackMs = Date.now() - started;
    const answer = await slack.waitForResponse(id, 10_000);
    return { status: res.status, ackMs, text: String(answer.body.text ?? ''), answerMs: answer.at - started };
  }

  const storedTitles = async () =>
    (
      await runtime?.connection.db
        ?.collection('tasks')
        .find({}, { projection: { title: 1 } })
        .toArray()
    )?.map((doc) => doc.title);

  it('says a create was not saved, within 3 s, stores nothing, and works again once the server is back', async () => {
    expect((await task('water the plants tomorrow at 9am')).text).toBe('Task #1 created: water the plants');

    await server?.stop();
    const refused = await task('call the bank tomorrow at 10am');
    expect(refused.status).toBe(200);
    expect(refused.ackMs).toBeLessThan(3000);
    expect(refused.text).toBe("I couldn't save that — the database didn't answer. Please try again in a moment.");
    expect(refused.answerMs).toBeLessThan(3000);

    // Anything else that needs the database says what happened, not "something went wrong".
    const list = await task('list');
    expect(list.text).toBe("I couldn't reach the database just now. Please try again in a moment.");
    expect(list.answerMs).toBeLessThan(3000);

    // Each failure is one structured line with the Slack context and the code.
    const failures = lines().filter((line) => line.msg === 'slack listener failed');
    expect(failures.map((line) => [line.code, line.kind, line.userId])).toEqual([
      ['database_unavailable', 'command', 'U0OUTAGE'],
      ['database_unavailable', 'command', 'U0OUTAGE'],
    ]);

    server = await startServer();
    const again = await task('call the bank tomorrow at 10am');
    expect(again.text).toMatch(/^Task #\d+ created: call the bank$/);
    // The refused create left nothing behind: the one stored is the one confirmed.
    expect(await storedTitles()).toEqual(['water the plants', 'call the bank']);
  });
});
