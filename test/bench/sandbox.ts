// Benchmark (not a test): sandbox overhead for a trivial command, from the moment the agent.run
// job starts to the moment the result reaches the fake Slack API (the thread reply), one run at
// a time; then runs per minute with every slot of the concurrency limit busy. Real Docker, the
// production runner and reporter. Run with `npm run bench:sandbox`; figures go in the README.
import os from 'node:os';
import type { AgentActor } from '../../src/agent/agent-policy';
import { runBench, startBenchApp } from './bench-app';
import { quantile } from './quantile';

const SEQUENTIAL = Number(process.env.BENCH_RUNS ?? 40);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT_RUNS ?? 40);
const COMMAND = process.env.BENCH_COMMAND ?? 'true';

async function main(): Promise<void> {
  const app = await startBenchApp({
    SANDBOX_ENABLED: 'true',
    TASKPILOT_POLL_MS: process.env.TASKPILOT_POLL_MS ?? '1000',
  });
  const { runtime, fake, config, database } = app;
  const { agentRuns } = runtime.services;

  // Job start: when the agent.run job calls the service.
  const jobStarted = new Map<string, number>();
  const execute = agentRuns.execute.bind(agentRuns);
  agentRuns.execute = (runId, hooks) => {
    if (!jobStarted.has(runId)) jobStarted.set(runId, Date.now());
    return execute(runId, hooks);
  };
  // Result posted: the thread reply with the output reaches Slack (keyed by the status message,
  // which may be answered before `request` has returned).
  const postedByTs = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  fake.onCall((call) => {
    const ts = call.body.thread_ts;
    if (call.method === 'chat.postMessage' && typeof ts === 'string' && !postedByTs.has(ts)) {
      postedByTs.set(ts, call.at);
      waiters.get(ts)?.();
    }
  });
  const actor: AgentActor & { threadTs: null } = {
    teamId: 'T0BENCH',
    userId: 'U0BENCH',
    isAdmin: true,
    channelId: 'C0BENCH',
    threadTs: null,
  };
  const request = { kind: 'command' as const, command: COMMAND, instructions: null, repo: null, network: false };
  /** Starts a run; resolves with its id and when its result was posted. */
  // Each run posts in a channel of its own: Slack's pace of about one message a second per
  // channel (which the poster keeps) would otherwise be what this measures.
  let channels = 0;
  async function start(): Promise<() => Promise<{ runId: string; postedAt: number }>> {
    const channelId = `C0BENCH${++channels}`;
    const run = await agentRuns.request({ ...actor, channelId }, { ...request, onlyOnChange: false });
    const ts = run.messageTs as string;
    const done = new Promise<void>((resolve) => {
      if (postedByTs.has(ts)) resolve();
      else waiters.set(ts, resolve);
    });
    return async () => {
      await done;
      return { runId: run._id, postedAt: postedByTs.get(ts) as number };
    };
  }

  // Warm-up: the first container start pays for loading the image's layers.
  await (await start())();

  const overhead: number[] = [];
  for (let index = 0; index < SEQUENTIAL; index += 1) {
    const { runId, postedAt } = await (await start())();
    overhead.push(postedAt - (jobStarted.get(runId) as number));
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${index} ${overhead.at(-1)} ms\n`);
  }
  overhead.sort((a, b) => a - b);
  const pick = (q: number) => quantile(overhead, q);

  const burstStarted = Date.now();
  const waits = await Promise.all(Array.from({ length: CONCURRENT }, () => start()));
  await Promise.all(waits.map((wait) => wait()));
  const burstMs = Date.now() - burstStarted;
  const { global, perWorkspace } = config.agents.concurrency;

  process.stdout.write(
    `${[
      `sandbox: command \`${COMMAND}\` in ${config.sandbox.image}, ${config.sandbox.memoryMb} MB, ${config.sandbox.cpus} CPU, Docker ${(await runtime.docker?.version())?.Version ?? '?'}, Node ${process.version}, ${os.cpus().length} cores, ${database ? `embedded ${database.kind}` : 'MONGODB_URI'} database`,
      `overhead, agent.run job start → result posted in the thread, ${SEQUENTIAL} runs one at a time: p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms, max ${pick(1)} ms (target p50 < 700 ms)`,
      `throughput at the limit (${Math.min(global, perWorkspace)} at once in one workspace): ${CONCURRENT} runs in ${(burstMs / 1000).toFixed(1)} s = ${Math.round((CONCURRENT / burstMs) * 60_000)} runs/min (request → result posted, queueing included)`,
    ].join('\n')}\n`,
  );
  await app.stop();
}

runBench(main);
