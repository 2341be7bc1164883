import type { Agenda } from 'agenda';
import { AgentPolicy } from '../../../src/agent/agent-policy';
import { AgentRuns } from '../../../src/agent/agent-runs';
import type { ExecutionOutcome } from '../../../src/agent/run-executor';
import type { RunReporter } from '../../../src/agent/run-reporter';
import { type AgentRun, type AgentSpec, agentRunModel } from '../../../src/db/models/agent-run';
import type { Task } from '../../../src/db/models/task';
import { createMasker } from '../../../src/sandbox/mask';
import { UsageService } from '../../../src/usage/usage-service';
import { openTestDatabase, type TestDatabase } from '../../helpers/db';
import { testLogger } from '../../helpers/logger';

const SPEC: AgentSpec = {
  kind: 'command',
  command: 'make test',
  instructions: null,
  repo: null,
  image: 'taskpilot/sandbox:test',
  network: false,
  onlyOnChange: true,
};

const outcome = (log: string, status: ExecutionOutcome['status'] = 'succeeded'): ExecutionOutcome => ({
  status,
  exitCode: status === 'succeeded' ? 0 : 1,
  log,
  truncated: false,
  summary: null,
  steps: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  transcript: [],
  model: null,
});

/**
 * The run lifecycle on the real database, with the sandbox, Slack and Agenda replaced by
 * recorders: what a scheduled run posts, and how racing workers share the concurrency limit.
 */
describe('agent run lifecycle (real database)', () => {
  let database: TestDatabase;
  const posted: string[] = [];
  const jobs: string[] = [];
  let nextOutcome: () => Promise<ExecutionOutcome>;

  const reporter = {
    postStatus: async (run: AgentRun) => {
      posted.push(`status ${run.status} ${run._id}`);
      return { channel: run.channelId, ts: `${posted.length}.0001` };
    },
    updateStatus: async (run: AgentRun) => {
      posted.push(`update ${run.status} ${run._id}`);
    },
    postDetails: async (run: AgentRun) => {
      posted.push(`details ${run._id}`);
    },
  } as unknown as RunReporter;

  const services = (
    worker: string,
    perWorkspace = 2,
    execute: ConstructorParameters<typeof AgentRuns>[0]['execute'] = () => nextOutcome(),
  ) =>
    new AgentRuns({
      connection: database.connection,
      agenda: { now: async (_name: string, data: { runId: string }) => jobs.push(data.runId) } as unknown as Agenda,
      policy: new AgentPolicy(database.connection, {
        images: [SPEC.image],
        networkAllowed: false,
        repos: { allowedHosts: [], maxBytes: 1, timeoutMs: 1, caFile: undefined },
        concurrency: { global: 4, perWorkspace },
        llm: { maxSteps: 1, maxTokens: 1, maxCostUsd: 1 },
      }),
      reporter,
      usage: new UsageService(database.connection, 10),
      execute,
      config: {
        enabled: true,
        llmAvailable: false,
        concurrency: { global: 4, perWorkspace },
        repos: { allowedHosts: [], maxBytes: 1, timeoutMs: 1, caFile: undefined },
      },
      mask: createMasker([]),
      logger: testLogger(),
      worker,
    });

  const task = {
    _id: 'task-1',
    teamId: 'T1',
    creatorId: 'U1',
    channelId: 'C1',
    agent: SPEC,
    source: {},
  } as unknown as Task & {
    _id: unknown;
  };

  beforeAll(async () => {
    database = await openTestDatabase('agent_runs');
    await services('w1').init();
  });
  afterAll(() => database.cleanup());
  beforeEach(() => {
    posted.length = 0;
    jobs.length = 0;
  });

  it('starts one run per occurrence, however often the occurrence fires', async () => {
    const runs = services('w1');
    const at = new Date('2026-11-23T02:00:00Z');
    await runs.startScheduled(task, at);
    await runs.startScheduled(task, at);
    // One run; the second firing only gives it a job again, which is harmless.
    expect(await runs.get(`task-1:${at.toISOString()}`)).toMatchObject({ status: 'queued' });
    expect(new Set(jobs)).toEqual(new Set([`task-1:${at.toISOString()}`]));
  });

  it('fails a scheduled run at its start when its image has been withdrawn since it was set up', async () => {
    const runs = services('w1');
    const at = new Date('2026-11-24T02:00:00Z');
    const withdrawn = { ...task, _id: 'task-2', agent: { ...SPEC, image: 'withdrawn:image', onlyOnChange: false } };
    await runs.startScheduled(withdrawn as typeof task, at);
    nextOutcome = () => Promise.reject(new Error('must not run'));
    expect(await runs.execute(`task-2:${at.toISOString()}`, { touch: async () => undefined })).toBeNull();
    expect(await runs.get(`task-2:${at.toISOString()}`)).toMatchObject({
      status: 'failed',
      summary: 'The image `withdrawn:image` is no longer allowed.',
    });
  });

  it('stops a run when Cancel is clicked on another process, within a heartbeat', async () => {
    const running = services('w1');
    const elsewhere = services('w2');
    let started: () => void = () => undefined;
    const isRunning = new Promise<void>((resolve) => {
      started = resolve;
    });
    const run = await running.request(
      { teamId: 'T3', userId: 'U1', isAdmin: true, channelId: 'C3', threadTs: null },
      { ...SPEC, onlyOnChange: false },
    );
    // The executing worker sees the abort only through its heartbeat's read of the database.
    const executing = services('w3', 2, (_run, signal) => {
      started();
      return new Promise((resolve) => {
        signal.addEventListener('abort', () => resolve(outcome('stopped', 'cancelled')));
      });
    });
    const done = executing.execute(run._id, { touch: async () => undefined });
    await isRunning;
    await elsewhere.cancel({ teamId: 'T3', userId: 'U1', isAdmin: false }, run._id);
    await done;
    expect(await running.get(run._id)).toMatchObject({ status: 'cancelled', cancelledBy: 'U1' });
  });

  it('leaves a run with a live heartbeat alone, and fails one whose worker stopped beating', async () => {
    const runs = services('w1');
    const make = async (beatAgoMs: number) => {
      const run = await runs.request(
        { teamId: 'T4', userId: 'U1', isAdmin: true, channelId: 'C4', threadTs: null },
        { ...SPEC, onlyOnChange: false },
      );
      const beat = new Date(Date.now() - beatAgoMs);
      await agentRunModel(database.connection).updateOne(
        { _id: run._id },
        { $set: { status: 'running', worker: 'gone:1', startedAt: beat, heartbeatAt: beat } },
      );
      return run._id;
    };
    const live = await make(1000);
    const orphaned = await make(60_000);
    expect(await runs.execute(live, { touch: async () => undefined })).toBeInstanceOf(Date);
    expect(await runs.get(live)).toMatchObject({ status: 'running' });
    expect(await runs.execute(orphaned, { touch: async () => undefined })).toBeNull();
    expect(await runs.get(orphaned)).toMatchObject({
      status: 'failed',
      summary: expect.stringMatching(/stopped before/),
    });
  });

  it('posts a run that only reports changes the first time, then only when the result differs', async () => {
    const runs = services('w1');
    const results = ['all 12 passed', 'all 12 passed', '1 of 12 failed'];
    for (const [index, log] of results.entries()) {
      nextOutcome = async () => outcome(log, log.includes('failed') ? 'failed' : 'succeeded');
      const at = new Date(Date.UTC(2026, 11, 1 + index, 2));
      await runs.startScheduled(task, at);
      await runs.execute(`task-1:${at.toISOString()}`, { touch: async () => undefined });
    }
    // Quiet runs post nothing until they end; the unchanged second run posts nothing at all.
    expect(posted.filter((line) => line.startsWith('status') || line.startsWith('details'))).toEqual([
      'status succeeded task-1:2026-12-01T02:00:00.000Z',
      'details task-1:2026-12-01T02:00:00.000Z',
      'status failed task-1:2026-12-03T02:00:00.000Z',
      'details task-1:2026-12-03T02:00:00.000Z',
    ]);
  });

  it('lets only as many runs start as the workspace allows when workers claim at once', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    nextOutcome = async () => {
      await held;
      return outcome('ok');
    };
    const workers = [services('w1', 1), services('w2', 1), services('w3', 1)];
    const ids: string[] = [];
    for (const worker of workers) {
      const run = await worker.request(
        { teamId: 'T2', userId: 'U1', isAdmin: true, channelId: 'C2', threadTs: null },
        { ...SPEC, onlyOnChange: false },
      );
      ids.push(run._id);
    }
    let settledCount = 0;
    let twoSettled: () => void = () => undefined;
    const twoDone = new Promise<void>((resolve) => {
      twoSettled = resolve;
    });
    const outcomes = workers.map((worker, index) =>
      worker.execute(ids[index] as string, { touch: async () => undefined }).finally(() => {
        settledCount += 1;
        if (settledCount === 2) twoSettled();
      }),
    );
    // Two claims give way (they come back later); one run holds the only slot meanwhile.
    await twoDone;
    const running = await Promise.all(ids.map((id) => workers[0]?.get(id)));
    expect(running.filter((run) => run?.status === 'running')).toHaveLength(1);
    release();
    const retries = await Promise.all(outcomes);
    expect(retries.filter((retry) => retry instanceof Date)).toHaveLength(2);
  });
});
