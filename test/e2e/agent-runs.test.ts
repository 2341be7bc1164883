import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { DEFAULT_SANDBOX_IMAGE } from '../../src/config';
import { agentRunModel } from '../../src/db/models/agent-run';
import { FakeSlack, type RecordedCall } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import type { Runtime } from '../../src/runtime';
import { createDocker } from '../../src/sandbox/docker';
import { DEADLINE_LABEL, OWNER_LABEL, SANDBOX_LABEL } from '../../src/sandbox/run-container';
import { ActionIds, AgentFormBlocks, CallbackIds } from '../../views/ids';
import { uniqueDbName, uriForDb } from '../helpers/db';
import { type GitServer, startGitServer } from '../helpers/git-server';
import { blockActions, sendInteraction, viewSubmission } from '../helpers/interactions';
import { startTestRuntime, TEST_SIGNING_SECRET } from '../helpers/runtime';
import { completion, ScriptedOpenAI } from '../helpers/scripted-openai';

const ADMIN = 'U0ADMIN';
const MEMBER = 'U0MEMBER';
const CHANNEL = 'C0AGENTS';
const FAKE_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
const docker = createDocker(process.env.DOCKER_HOST);

type StatusCall = RecordedCall & { body: { text?: string; ts?: string; blocks?: unknown } };

describe('agent runs through signed requests and real containers', () => {
  let slack: FakeSlack;
  let git: GitServer;
  let runtime: Runtime & { baseUrl: string };
  let orphanId: string;
  let sent = 0;
  // Not nock: nock's patched sockets break dockerode's exec calls in the same process.
  const openai = new ScriptedOpenAI();

  beforeAll(async () => {
    slack = await FakeSlack.start();
    slack.answer('users.info', (body) => ({
      user: { id: body.user, tz: 'Europe/Berlin', is_admin: body.user === ADMIN, is_owner: false },
    }));
    git = await startGitServer();
    await git.createRepo('tools.git', {
      'check.sh': 'echo "checked $(cat data.txt)"\n',
      'data.txt': 'from the repo\n',
    });

    // A container a killed worker left behind: its owner process (on this host) is gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const orphan = await docker.createContainer({
      Image: process.env.SANDBOX_IMAGE ?? DEFAULT_SANDBOX_IMAGE,
      Cmd: ['sleep', '300'],
      Labels: {
        [SANDBOX_LABEL]: 'true',
        [OWNER_LABEL]: `${os.hostname()}:${gone}`,
        [DEADLINE_LABEL]: String(Date.now() + 3_600_000),
      },
      HostConfig: { NetworkMode: 'none' },
    });
    await orphan.start();
    orphanId = orphan.id;

    const openaiUrl = await openai.start();
    runtime = await startTestRuntime({
      mongoUri: uriForDb(uniqueDbName('agent_runs')),
      slackApiUrl: slack.apiUrl,
      env: {
        SANDBOX_ENABLED: 'true',
        SANDBOX_TIMEOUT_SECONDS: '4',
        SANDBOX_MEMORY_MB: '32',
        AGENT_REPO_HOSTS: git.host,
        AGENT_REPO_CA_FILE: git.caFile,
        AGENT_WORKSPACE_CONCURRENCY: '1',
        OPENAI_API_KEY: 'sk-test-key-for-agent-runs-000000',
        OPENAI_BASE_URL: openaiUrl,
        TASKPILOT_PARSER: 'fallback',
        TASKPILOT_POLL_MS: '200',
      },
    });
  });

  afterAll(async () => {
    await runtime.connection.dropDatabase().catch(() => undefined);
    await runtime.shutdown();
    await slack.stop();
    await git.close();
    await openai.stop();
    const left = await docker.listContainers({ all: true, filters: { label: ['io.taskpilot.team=T0TEST'] } });
    expect(left).toEqual([]);
  });

  async function task(text: string, user = ADMIN, channel = CHANNEL): Promise<string> {
    const id = `r${++sent}`;
    const res = await postSigned(
      `${runtime.baseUrl}/slack/events`,
      slashCommandBody({ text, user_id: user, channel_id: channel, response_url: slack.responseUrl(id) }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const body = (await slack.waitForResponse(id, 10_000)).body as { text?: string; blocks?: unknown };
    return `${body.text ?? ''}\n${JSON.stringify(body.blocks ?? [])}`;
  }

  /** Runs `/task run …` and returns the status message's ts once the run is queued. */
  async function startRun(text: string, user = ADMIN): Promise<string> {
    const before = slack.callsTo('chat.postMessage').length;
    const answer = await task(text, user);
    expect(answer).toMatch(/Queued/);
    const posted = await slack.waitForCall(
      'chat.postMessage',
      (call) => slack.callsTo('chat.postMessage').indexOf(call) >= before && /queued/i.test(String(call.body.text)),
    );
    const ts = posted.result?.ts;
    expect(typeof ts).toBe('string');
    return ts as string;
  }

  const updatesOf = (ts: string) => slack.callsTo('chat.update').filter((call) => call.body.ts === ts) as StatusCall[];
  const finalUpdate = (ts: string, timeoutMs = 20_000) =>
    slack.waitForCall(
      'chat.update',
      (call) => call.body.ts === ts && !/queued|running/i.test(String(call.body.text)),
      timeoutMs,
    ) as Promise<StatusCall>;
  const threadOf = (ts: string, timeoutMs = 10_000) =>
    slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === ts, timeoutMs);

  it('reaped the orphan a killed worker left when it started', async () => {
    await expect(docker.getContainer(orphanId).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('posts a command run’s output and moves its status queued → running → succeeded, with secrets masked', async () => {
    // The token exists only inside the container: the command builds it.
    const built = FAKE_TOKEN.replace('xoxb-', 'xox$(printf b)-');
    const ts = await startRun(`run \`echo hello from the sandbox; echo token ${built}\``);
    const final = await finalUpdate(ts);
    expect(final.body.text).toMatch(/succeeded/);
    expect(updatesOf(ts).map((call) => String(call.body.text))).toEqual([
      expect.stringMatching(/running/),
      expect.stringMatching(/succeeded/),
    ]);
    const details = await threadOf(ts);
    expect(JSON.stringify(details.body)).toContain('hello from the sandbox');
    expect(JSON.stringify(details.body)).toContain('[masked]');
    // The token never reaches Slack or the database.
    expect(JSON.stringify(slack.calls)).not.toContain(FAKE_TOKEN);
    const stored = await agentRunModel(runtime.connection).find().lean();
    expect(JSON.stringify(stored)).not.toContain(FAKE_TOKEN);
  });

  it('refuses a command that carries a secret, so it is neither stored nor posted', async () => {
    expect(await task(`run \`curl -H "Authorization: Bearer ${FAKE_TOKEN}" x\``)).toMatch(/looks like a secret/);
  });

  it('reports a timeout after killing the container', async () => {
    const ts = await startRun('run `sleep 30`');
    const final = await finalUpdate(ts);
    expect(final.body.text).toMatch(/timed out after 4 s/);
  });

  it('reports a run over its memory limit as out of memory', async () => {
    const ts = await startRun('run `x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo done`');
    const final = await finalUpdate(ts);
    expect(final.body.text).toMatch(/out of memory \(32 MB\)/);
  });

  it('stops a running container when Cancel is clicked', async () => {
    const ts = await startRun('run `echo started; sleep 30`');
    await slack.waitForCall('chat.update', (call) => call.body.ts === ts && /running/.test(String(call.body.text)));
    const runId = (await agentRunModel(runtime.connection).findOne({ messageTs: ts }).lean())?._id as string;
    const res = await sendInteraction(
      runtime.baseUrl,
      blockActions(ADMIN, slack.responseUrl(`c${++sent}`), {
        action_id: ActionIds.agentCancel,
        block_id: 'b',
        type: 'button',
        value: runId,
      }),
    );
    expect(res.status).toBe(200);
    const final = await finalUpdate(ts);
    expect(final.body.text).toMatch(/cancelled by <@U0ADMIN>/);
    const left = await docker.listContainers({ all: true, filters: { label: [`io.taskpilot.run=${runId}`] } });
    expect(left).toEqual([]);
  });

  it('queues a run while the workspace is at its limit, then runs it', async () => {
    const first = await startRun('run `sleep 1; echo first`');
    const second = await startRun('run `echo second`');
    const firstDone = await finalUpdate(first);
    const secondRunning = await slack.waitForCall(
      'chat.update',
      (call) => call.body.ts === second && /running/.test(String(call.body.text)),
      20_000,
    );
    expect(secondRunning.at).toBeGreaterThanOrEqual(firstDone.at);
    expect((await finalUpdate(second)).body.text).toMatch(/succeeded/);
  });

  it('refuses people who are not allowed, until an admin allows them', async () => {
    expect(await task('run `echo hi`', MEMBER)).toMatch(/limited to workspace admins/);
    expect(await task(`agents allow <@${MEMBER}>`, MEMBER)).toMatch(/Only workspace admins/);
    expect(await task(`agents allow <@${MEMBER}>`)).toContain(`<@${MEMBER}>`);
    const ts = await startRun('run `echo allowed`', MEMBER);
    expect((await finalUpdate(ts)).body.text).toMatch(/succeeded/);
  });

  it('refuses a repository outside the allow-list and clones one on it', async () => {
    expect(await task('run `sh check.sh` in https://github.com/acme/api')).toMatch(/github\.com.*allow-list|not on/i);
    const ts = await startRun(`run \`sh check.sh\` in ${git.url('tools.git')}`);
    expect((await finalUpdate(ts)).body.text).toMatch(/succeeded/);
    expect(JSON.stringify((await threadOf(ts)).body)).toContain('checked from the repo');
  });

  it('runs an LLM agent whose tool calls execute in the container and posts its summary with token counts', async () => {
    const requests = openai.script([
      completion(
        {
          calls: [
            { name: 'write_file', args: { path: 'answer.sh', content: 'echo "$(( 6 * 7 )) from $(id -u)"\n' } },
            { name: 'run_command', args: { command: 'sh answer.sh' } },
          ],
        },
        { prompt: 120, completion: 30 },
      ),
      completion(
        { calls: [{ name: 'finish', args: { summary: 'The answer is 42.' } }] },
        { prompt: 200, completion: 10 },
      ),
    ]);

    const ts = await startRun('run agent: work out six times seven with a shell script');
    const final = await finalUpdate(ts);
    expect(final.body.text).toMatch(/succeeded/);
    expect(JSON.stringify(final.body.blocks)).toContain('360 tokens (320 in, 40 out)');
    // The second request carries the command's real output, produced in the container as nobody.
    expect(JSON.stringify(requests[1]?.messages)).toContain('42 from 65534');
    expect(JSON.stringify((await threadOf(ts)).body)).toContain('The answer is 42.');
    expect(openai.pending).toBe(0);
  });

  it('opens the Agent run form from `/task run`, shows mistakes on it, and runs what it is given', async () => {
    const opened = slack.callsTo('views.open').length;
    await postSigned(
      `${runtime.baseUrl}/slack/events`,
      slashCommandBody({ text: 'run', user_id: ADMIN, channel_id: CHANNEL, response_url: slack.responseUrl('form') }),
      'application/x-www-form-urlencoded',
      { secret: TEST_SIGNING_SECRET },
    );
    const open = await slack.waitForCall('views.open', (call) => slack.callsTo('views.open').indexOf(call) >= opened);
    const view = open.body.view as { callback_id: string; blocks: { block_id: string }[] };
    expect(view.callback_id).toBe(CallbackIds.agentForm);
    const values = (what: string | null, channel: string | null) => ({
      [AgentFormBlocks.kind]: {
        [AgentFormBlocks.kind]: { type: 'radio_buttons', selected_option: { value: 'command' } },
      },
      [AgentFormBlocks.what]: { [AgentFormBlocks.what]: { type: 'plain_text_input', value: what } },
      [AgentFormBlocks.repo]: { [AgentFormBlocks.repo]: { type: 'plain_text_input', value: null } },
      [AgentFormBlocks.image]: {
        [AgentFormBlocks.image]: { type: 'static_select', selected_option: { value: 'taskpilot/sandbox:test' } },
      },
      [AgentFormBlocks.channel]: {
        [AgentFormBlocks.channel]: { type: 'conversations_select', selected_conversation: channel },
      },
    });
    const submit = (state: Record<string, unknown>) =>
      sendInteraction(
        runtime.baseUrl,
        viewSubmission('T0TEST', ADMIN, { callback_id: view.callback_id, state: { values: state } }),
      );
    const refused = await submit(values('', 'C0FORM'));
    expect(await refused.json()).toEqual({
      response_action: 'errors',
      errors: { [AgentFormBlocks.what]: 'Which command?' },
    });
    const secret = await submit(values(`echo ${FAKE_TOKEN}`, 'C0FORM'));
    expect(JSON.stringify(await secret.json())).toMatch(/looks like a secret/);
    const accepted = await submit(values('echo from the form', 'C0FORM'));
    expect(accepted.status).toBe(200);
    const posted = await slack.waitForCall(
      'chat.postMessage',
      (call) => call.body.channel === 'C0FORM' && /queued/.test(String(call.body.text)),
    );
    const ts = posted.result?.ts as string;
    expect((await finalUpdate(ts)).body.text).toMatch(/succeeded/);
    expect(JSON.stringify((await threadOf(ts)).body)).toContain('from the form');
  });

  it('starts a scheduled agent task’s run when its reminder comes due', async () => {
    const spec = await runtime.services.agentRuns.checkedSpec(
      { teamId: 'T0TEST', userId: ADMIN, isAdmin: true, channelId: CHANNEL },
      {
        kind: 'command',
        command: 'echo scheduled run',
        instructions: null,
        repo: null,
        network: false,
        onlyOnChange: false,
      },
    );
    const scheduled = await runtime.services.tasks.create({
      teamId: 'T0TEST',
      creatorId: ADMIN,
      title: 'nightly check',
      assignees: [],
      channelId: CHANNEL,
      dueAt: new Date(Date.now() + 1500),
      tz: 'Europe/Berlin',
      recurrence: null,
      source: { kind: 'command', channelId: CHANNEL },
      agent: spec,
    });
    const posted = await slack.waitForCall(
      'chat.postMessage',
      (call) => /queued/.test(String(call.body.text)) && JSON.stringify(call.body.blocks).includes('scheduled run'),
      15_000,
    );
    const ts = posted.result?.ts as string;
    expect((await finalUpdate(ts)).body.text).toMatch(/succeeded/);
    const runs = await agentRunModel(runtime.connection)
      .find({ taskId: String(scheduled._id) })
      .lean();
    expect(runs).toHaveLength(1);
    // No reminder was posted for it: the occurrence became the run.
    expect(slack.callsTo('chat.postMessage').some((call) => String(call.body.text).includes('nightly check'))).toBe(
      false,
    );
  });
});
