// `npm run bench` (not a test): TaskPilot at the scale of issue 15, measured from outside as
// Slack would see it. It starts `taskpilot start` on a fresh data folder (the embedded FerretDB),
// seeds 10,000 tasks through TaskService, then runs bounded phases with signed requests from the
// open-loop load generator (load.ts) and prints a table per phase with the issue's targets beside
// the figures. Everything goes to bench/results.json. BENCH_SMOKE=1 (or --smoke) scales it all
// down to prove the run works in about three minutes; figures from it mean nothing.
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { taskModel } from '../../src/db/models/task';
import { createLogger } from '../../src/logger';
import { FakeSlack } from '../../src/playground/fake-slack';
import { type Runtime, startRuntime } from '../../src/runtime';
import { packageRoot } from '../../src/util/package-root';
import { countByCommand, withCommandMonitoring } from '../helpers/command-counter';
import { declaredIndexes, unservedQueries } from '../helpers/index-coverage';
import { CREATE_TEXT, httpDriver, measureOperations, OPERATIONS } from '../helpers/operation-counts';
import { TestClock } from '../helpers/reminders';
import { seedPerson } from '../helpers/seed-tasks';
import { type AppProcess, rssMb, startAppProcess } from './app-process';
import { formatLoad, type LoadResult } from './load';
import { latenessOf } from './reminder-lateness';
import { benchShape, openSeeder, type Seeder, seedTasks } from './seed';

const SMOKE = process.env.BENCH_SMOKE === '1' || process.argv.includes('--smoke');
const SECRET = 'bench-signing-secret';
const TEAM = 'T0BENCH';
/** TaskPilot's busy answer ("I'm busy right now — please try again in a moment"), and likely others'. */
const BUSY = /\bbusy\b|try again/i;

/** Sizes and bounds; the smoke run is the same run, smaller. */
const SCALE = SMOKE
  ? {
      tasks: 500,
      seedBudgetS: 120,
      phaseS: 5,
      warmupS: 1,
      floodRate: 200,
      floodS: 5,
      reminders: 100,
      reminderSpreadS: 10,
      graceS: 10,
      answerWaitS: 5,
      totalS: 420,
    }
  : {
      tasks: 10_000,
      // Seeding comes first and may be slow on FerretDB; the rest needs about seven minutes.
      seedBudgetS: 300,
      phaseS: 30,
      warmupS: 3,
      floodRate: 1000,
      floodS: 20,
      reminders: 1000,
      reminderSpreadS: 60,
      graceS: 30,
      answerWaitS: 15,
      totalS: 890,
    };

type Row = [figure: string, measured: string, target: string];
const results: Record<string, unknown> = {};
/** Load generators running: a phase that overruns its bound, or the whole run, stops them. */
const loadProcesses = new Set<ChildProcess>();
const stopLoads = () => {
  for (const child of loadProcesses) child.kill('SIGKILL');
};
const rss = { peakMb: 0, samples: [] as { at: number; appMb: number; databaseMb: number }[] };
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '-' : `${value} ms`);

function printTable(title: string, rows: Row[], headers: Row = ['figure', 'measured', 'target']): void {
  const all = [headers, ...rows];
  const widths = [0, 1, 2].map((column) => Math.max(...all.map((row) => String(row[column]).length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const rule = widths.map((width) => '-'.repeat(width));
  process.stdout.write(`\n${title}\n${[headers, rule, ...rows].map(line).join('\n')}\n`);
}

/** The app's and its database's memory, sampled through every phase. */
function startRssSampler(app: AppProcess): { phasePeak: () => number; reset: () => void; stop: () => void } {
  let phasePeak = 0;
  const timer = setInterval(() => {
    const appMb = rssMb(app.pid);
    const databaseMb = rssMb(app.databasePid);
    if (Number.isNaN(appMb)) return;
    phasePeak = Math.max(phasePeak, appMb);
    rss.peakMb = Math.max(rss.peakMb, appMb);
    rss.samples.push({ at: Date.now(), appMb, databaseMb });
  }, 250);
  timer.unref();
  return { phasePeak: () => phasePeak, reset: () => (phasePeak = 0), stop: () => clearInterval(timer) };
}

/** Between phases: the app ready again (or 30 s gone), then a moment's quiet. */
async function settle(app: AppProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${app.baseUrl}/readyz`, { signal: AbortSignal.timeout(3000) }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) break;
    await sleep(500);
  }
  await sleep(2000);
}

/** Runs a phase within `boundS`; a phase that fails or overruns is recorded, and the run goes on. */
async function phase<T>(name: string, boundS: number, work: () => Promise<T>): Promise<T | undefined> {
  log(`— ${name} (at most ${boundS} s)`);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} took longer than ${boundS} s`)), boundS * 1000);
      }),
    ]);
  } catch (error) {
    stopLoads();
    log(`${name} failed: ${(error as Error).message}`);
    results[name] = { error: (error as Error).message };
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

interface PhaseLoad {
  rate: number;
  durationS: number;
  warmupS?: number;
  kind?: 'command' | 'shortcut' | 'mix';
  text?: string;
  /** Time the answers too (a response_url sink on a free port). */
  answers?: boolean;
  answerWaitS?: number;
  users?: number;
  userPrefix?: string;
  userDigits?: number;
}

/**
 * The load generator in a process of its own, from its command line: its timing does not share
 * an event loop with the fake Slack API or the seeding, and it runs as anyone would run it.
 */
function runLoadProcess(app: AppProcess, load: PhaseLoad): Promise<LoadResult> {
  const args = [
    path.join(__dirname, 'load.js'),
    ...['--url', `${app.baseUrl}/slack/events`, '--signing-secret', SECRET, '--team', TEAM],
    ...['--rate', String(load.rate), '--duration', String(load.durationS), '--warmup', String(load.warmupS ?? 0)],
    ...['--kind', load.kind ?? 'command', '--text', load.text ?? 'help', '--users', String(load.users ?? 100)],
    ...(load.userPrefix ? ['--user-prefix', load.userPrefix, '--user-digits', String(load.userDigits ?? 5)] : []),
    ...(load.answers ? ['--answer-port', '0', '--answer-wait', String(load.answerWaitS ?? 15)] : []),
    '--json',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    loadProcesses.add(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.once('exit', (code) => {
      loadProcesses.delete(child);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as LoadResult);
      else reject(new Error(`the load generator exited with ${code}: ${err.trim() || out.trim()}`));
    });
  });
}

function loadRows(result: LoadResult): Row[] {
  const rows: Row[] = [
    ['sent (achieved rate)', `${result.sent} (${result.achievedRate}/s)`, '—'],
    ['ack p50 / p99 / max', `${ms(result.ack.p50)} / ${ms(result.ack.p99)} / ${ms(result.ack.max)}`, '—'],
    [
      'ack errors',
      `${result.errors}${Object.keys(result.errorsByStatus).length ? ` ${JSON.stringify(result.errorsByStatus)}` : ''}`,
      '—',
    ],
    ['acks over 3 s or none', String(result.acksOver3s), '—'],
  ];
  if (result.answers) {
    const a = result.answers;
    rows.push(
      ['answer p50 / p99 / max', `${ms(a.latency.p50)} / ${ms(a.latency.p99)} / ${ms(a.latency.max)}`, '—'],
      ['answered (of which busy)', `${a.answered} (${a.busy})`, '—'],
      ['unanswered', String(a.unanswered), '—'],
      ['answered within 3 s', String(a.within3s), '—'],
    );
  }
  return rows;
}

/** Puts a target beside the row whose figure starts with `figure`. */
function target(rows: Row[], figure: string, text: string): Row[] {
  for (const row of rows) if (row[0].startsWith(figure)) row[2] = text;
  return rows;
}

async function loadPhase(
  name: string,
  app: AppProcess,
  sampler: ReturnType<typeof startRssSampler>,
  load: PhaseLoad,
  targets: [figure: string, target: string][],
): Promise<LoadResult | undefined> {
  // The settle before, the load, the slowest ack's timeout, the wait for answers, some slack.
  const bound = 35 + (load.warmupS ?? 0) + load.durationS + 10 + (load.answers ? (load.answerWaitS ?? 15) : 0) + 10;
  return phase(name, bound, async () => {
    await settle(app);
    sampler.reset();
    const result = await runLoadProcess(app, load);
    const peakRssMb = sampler.phasePeak();
    log(formatLoad(result));
    const rows = loadRows(result);
    for (const [figure, text] of targets) target(rows, figure, text);
    rows.push(['app RSS, peak', `${peakRssMb} MB`, '—']);
    printTable(`${name}: ${load.rate}/s for ${load.durationS} s`, rows);
    results[name] = { ...result, peakRssMb };
    return result;
  });
}

async function seedPhase(seeder: Seeder): Promise<void> {
  const started = Date.now();
  const progress = await seedTasks(seeder.tasks, {
    count: SCALE.tasks,
    shape: benchShape(TEAM),
    concurrency: 4,
    deadline: started + SCALE.seedBudgetS * 1000,
    onProgress: (created) => log(`  ${created} tasks (${Math.round(created / ((Date.now() - started) / 1000))}/s)`),
  });
  const stored = await taskModel(seeder.connection).countDocuments({ teamId: TEAM });
  const rate = Math.round((progress.created / (progress.ms / 1000)) * 10) / 10;
  printTable(`seeding through TaskService (4 at a time, no home-tab refreshes)`, [
    ['tasks created', `${progress.created} of ${SCALE.tasks}${progress.cutShort ? ' (time ran out)' : ''}`, '—'],
    ['failed creates', String(progress.failed), '0'],
    ['time, rate', `${(progress.ms / 1000).toFixed(1)} s, ${rate} tasks/s`, '—'],
    ['tasks stored in the workspace', String(stored), String(SCALE.tasks)],
  ]);
  results.seed = { ...progress, rate, stored };
}

async function idleRss(app: AppProcess, label: string): Promise<number> {
  // The peak of five seconds without requests: timers, scans and polls still run.
  let peak = 0;
  for (let sample = 0; sample < 20; sample += 1) {
    peak = Math.max(peak, rssMb(app.pid));
    await sleep(250);
  }
  results[label] = { appMb: peak, databaseMb: rssMb(app.databasePid) };
  return peak;
}

async function remindersPhase(seeder: Seeder, fake: FakeSlack, perCreateMs: number): Promise<void> {
  const count = SCALE.reminders;
  const spreadMs = SCALE.reminderSpreadS * 1000;
  // Created ahead through TaskService, each to its own DM; the app's dispatcher finds them in its
  // scans. The lead is what creating them took per task while seeding, with a margin.
  const leadMs = Math.min(120_000, 15_000 + Math.ceil(1.5 * count * perCreateMs));
  const start = Date.now() + leadMs;
  const creator = (index: number) => `U0REM${String(index).padStart(5, '0')}`;
  const created = await seedTasks(seeder.tasks, {
    count,
    concurrency: 4,
    deadline: start - 2000,
    input: (index) => ({
      teamId: TEAM,
      creatorId: creator(index),
      title: `bench reminder ${index}`,
      assignees: [],
      channelId: null,
      dueAt: new Date(start + Math.floor((index * spreadMs) / count)),
      tz: 'UTC',
      recurrence: null,
      source: { kind: 'command', channelId: 'C0BENCH' },
    }),
  });
  if (created.cutShort) log('  warning: creating the reminders took longer than the lead time');
  // The reminders that were stored, by their DM (the fake's conversations.open names it after the user).
  const stored = await taskModel(seeder.connection)
    .find({ teamId: TEAM, creatorId: { $in: Array.from({ length: count }, (_, index) => creator(index)) } })
    .lean();
  const due = new Map(stored.map((task) => [`D${task.creatorId.slice(1)}`, task.dueAt?.getTime() ?? 0]));
  const posted = () => fake.callsTo('chat.postMessage').filter((call) => due.has(String(call.body.channel)));
  const deadline = start + spreadMs + SCALE.graceS * 1000;
  while (Date.now() < deadline && new Set(posted().map((call) => call.body.channel)).size < due.size) {
    await sleep(200);
  }
  await sleep(3000); // duplicates that would follow get the chance to show
  const ids = stored.map((task) => task._id);
  const pending = () => taskModel(seeder.connection).countDocuments({ _id: { $in: ids }, nextFireAt: { $ne: null } });
  let unrecorded = await pending();
  const recordDeadline = Date.now() + SCALE.graceS * 1000;
  while (unrecorded > 0 && Date.now() < recordDeadline) {
    await sleep(500);
    unrecorded = await pending();
  }
  const report = latenessOf(
    due,
    posted().map((call) => ({ channel: String(call.body.channel), at: call.at })),
    { start, ms: spreadMs },
  );
  printTable(`${count} reminders due over ${SCALE.reminderSpreadS} s, on top of the stored tasks`, [
    ['created ahead (lead)', `${due.size} in ${(created.ms / 1000).toFixed(1)} s (lead ${leadMs / 1000} s)`, '—'],
    ['lateness p50 / p99 / max', `${ms(report.p50)} / ${ms(report.p99)} / ${ms(report.max)}`, 'p99 < 1000 ms'],
    ['lost', String(report.lost), '0'],
    ['duplicated', String(report.duplicated), '0'],
    ['worst lateness per sixth of the spread', report.worstBySixth.join(', '), '—'],
    ['tasks not yet moved on after the grace', String(unrecorded), '0'],
  ]);
  results.reminders = { ...report, created: due.size, createMs: created.ms, leadMs, unrecorded };
}

/**
 * Database commands per operation at the stored size: a second TaskPilot of the web role in this
 * process, on the same database with command monitoring, driven as the command-count test drives
 * it (test/integration/db-command-counts.test.ts), with the same code.
 */
async function countsPhase(app: AppProcess, fake: FakeSlack): Promise<void> {
  const clock = new TestClock(new Date());
  const logger = createLogger({ level: 'warn', pretty: false });
  const config = loadConfig({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: fake.apiUrl,
    MONGODB_URI: withCommandMonitoring(app.mongoUri),
    PORT: '0',
    SANDBOX_ENABLED: 'false',
    TASKPILOT_PARSER: 'fallback',
  });
  const runtime: Runtime = await startRuntime({ config, role: 'web', logger, now: clock.now });
  try {
    const driver = httpDriver({
      baseUrl: `http://127.0.0.1:${runtime.port}`,
      signingSecret: SECRET,
      slack: fake,
      teamId: TEAM,
      services: runtime.services,
      connection: runtime.connection,
      clock,
      answerTimeoutMs: 60_000,
    });
    const started = Date.now();
    const measured = await measureOperations(driver, seedPerson(1));
    const indexes = await declaredIndexes(runtime.connection);
    const unserved = unservedQueries(Object.values(measured).flat(), indexes);
    const stored = await taskModel(runtime.connection).countDocuments({ teamId: TEAM });
    const rows: Row[] = OPERATIONS.map((operation) => {
      const counts = countByCommand(measured[operation]);
      const detail = Object.entries(counts)
        .map(([command, count]) => `${count} ${command}`)
        .join(', ');
      return [operation, `${measured[operation].length}: ${detail}`, 'as at 50 tasks (the command-count test)'];
    });
    rows.push(['filters no declared index serves', String(unserved.length), '0']);
    printTable(`database commands per operation, ${stored} tasks stored (driver command monitoring)`, rows);
    results.commands = {
      stored,
      ms: Date.now() - started,
      perOperation: Object.fromEntries(OPERATIONS.map((operation) => [operation, countByCommand(measured[operation])])),
      unserved,
    };
  } finally {
    await runtime.shutdown();
  }
}

async function floodPhase(
  app: AppProcess,
  fake: FakeSlack,
  sampler: ReturnType<typeof startRssSampler>,
): Promise<void> {
  const opened = () => fake.callsTo('views.open').length;
  const before = fake.calls.length;
  const openedBefore = opened();
  const result = await loadPhase(
    'flood',
    app,
    sampler,
    {
      rate: SCALE.floodRate,
      durationS: SCALE.floodS,
      kind: 'mix',
      text: 'help',
      answers: true,
      answerWaitS: SCALE.answerWaitS,
      users: 500,
    },
    [
      ['acks over 3 s', '0'],
      ['app RSS', '< 300 MB'],
      ['unanswered', '0 (shed work answered "busy")'],
    ],
  );
  if (!result) return;
  const during = fake.calls.slice(before);
  const isBusy = (value: unknown) => BUSY.test(JSON.stringify(value ?? ''));
  const busyViews = during.filter((call) => call.method === 'views.open' && isBusy(call.body.view)).length;
  // A shortcut has no response URL: a busy answer may also come as a message.
  const busyMessages = during.filter((call) => call.method.startsWith('chat.post') && isBusy(call.body)).length;
  const shed = await shedCounts(app);
  const shortcuts = result.byKind.shortcut;
  printTable('flood: help commands and shortcuts, by kind', [
    ['help acks p50 / p99', `${ms(result.byKind.command?.p50)} / ${ms(result.byKind.command?.p99)}`, '—'],
    ['shortcut acks p50 / p99', `${ms(shortcuts?.p50)} / ${ms(shortcuts?.p99)}`, '—'],
    [
      'shortcut forms opened (of which busy)',
      `${opened() - openedBefore} of ${shortcuts?.sent ?? 0} (${busyViews})`,
      '—',
    ],
    ['busy messages posted', String(busyMessages), '—'],
    ["requests shed (the app's /metrics)", shed ?? 'not reported', '—'],
  ]);
  Object.assign(results.flood as object, {
    shortcutViewsOpened: opened() - openedBefore,
    busyViews,
    busyMessages,
    shed,
  });
}

/** What the app's /metrics says it shed (taskpilot_requests_shed_total), where it reports that. */
async function shedCounts(app: AppProcess): Promise<string | undefined> {
  const text = await fetch(`${app.baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) }).then(
    (res) => res.text(),
    () => '',
  );
  const lines = text.split('\n').filter((line) => line.startsWith('taskpilot_requests_shed_total'));
  return lines.length ? lines.map((line) => line.replace('taskpilot_requests_shed_total', '')).join(', ') : undefined;
}

/** Every target of the issue, met or not, from the phases' figures. */
function summary(): Row[] {
  type Load = LoadResult & { peakRssMb?: number };
  const get = (name: string) => results[name] as Load | undefined;
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met');
  const below = (value: number | undefined, limit: number) => value !== undefined && value < limit;
  const help = get('help');
  const c20 = get('creates20');
  const c50 = get('creates50');
  const idle = get('idleCreate');
  const list = get('list');
  const flood = get('flood');
  const reminders = results.reminders as { p99: number; lost: number; duplicated: number } | undefined;
  const idleRss = results.idleRss as { appMb: number } | undefined;
  const commands = results.commands as { unserved: unknown[] } | undefined;
  const rows: [string, string, boolean | undefined][] = [
    ['/task help ack p99 < 5 ms at 100/s', ms(help?.ack?.p99), help?.ack && below(help.ack.p99, 5)],
    [
      'creates at 20/s: answer p99 < 300 ms, 0 errors',
      `${ms(c20?.answers?.latency.p99)}, ${c20?.ack ? c20.errors + (c20.answers?.unanswered ?? 0) : '-'} errors or unanswered`,
      c20?.ack && below(c20.answers?.latency.p99, 300) && c20.errors === 0 && c20.answers?.unanswered === 0,
    ],
    [
      'creates at 50/s: no ack later than 3 s, all answered within 3 s',
      `${c50?.acksOver3s ?? '-'} late acks, ${c50?.answers?.within3s ?? '-'} of ${c50?.sent ?? '-'} answered in 3 s`,
      c50?.ack && c50.acksOver3s === 0 && c50.answers?.within3s === c50.sent,
    ],
    [
      'idle create answer p50 < 50 ms',
      ms(idle?.answers?.latency.p50),
      idle?.ack && below(idle.answers?.latency.p50, 50),
    ],
    ['list answer p99 < 300 ms', ms(list?.answers?.latency.p99), list?.ack && below(list.answers?.latency.p99, 300)],
    [
      '1,000 reminders in a minute: p99 < 1 s, 0 lost, 0 duplicated',
      reminders?.lost !== undefined
        ? `${ms(reminders.p99)}, ${reminders.lost} lost, ${reminders.duplicated} duplicated`
        : '-',
      reminders?.lost !== undefined
        ? below(reminders.p99, 1000) && reminders.lost === 0 && reminders.duplicated === 0
        : undefined,
    ],
    ['idle RSS < 150 MB, tasks stored', idleRss ? `${idleRss.appMb} MB` : '-', idleRss && below(idleRss.appMb, 150)],
    [
      'flood: every ack within 3 s, shed work told busy, RSS < 300 MB',
      flood?.ack
        ? `${flood.acksOver3s} late acks, ${flood.answers?.unanswered ?? '-'} unanswered, ${flood.peakRssMb} MB`
        : '-',
      flood?.ack && flood.acksOver3s === 0 && flood.answers?.unanswered === 0 && below(flood.peakRssMb, 300),
    ],
    [
      'every query served by a declared index (counts: the command-count test)',
      commands?.unserved ? `${commands.unserved.length} not served` : '-',
      commands?.unserved ? commands.unserved.length === 0 : undefined,
    ],
  ];
  return rows.map(([what, measured, ok]) => [what, measured, verdict(ok)]);
}

function machine(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: packageRoot(), encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout.
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryMb: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit,
    ferretdb: process.env.FERRETDB_BIN ?? '.taskpilot/bin/ferretdb',
  };
}

function writeResults(startedAt: number): string {
  // A smoke run's figures mean nothing: they stay out of the repository.
  const file =
    process.env.BENCH_RESULTS ??
    (SMOKE ? path.join(os.tmpdir(), 'taskpilot-bench-smoke.json') : path.join(packageRoot(), 'bench', 'results.json'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const payload = {
    date: new Date(startedAt).toISOString(),
    smoke: SMOKE,
    durationS: Math.round((Date.now() - startedAt) / 1000),
    machine: machine(),
    scale: SCALE,
    ...results,
    rss: { peakMb: rss.peakMb, samples: rss.samples.filter((_, index) => index % 4 === 0) },
  };
  fs.writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  // In Biome's layout, so the committed file passes `npm run lint` as written.
  try {
    execSync(`${path.join(packageRoot(), 'node_modules', '.bin', 'biome')} format --write ${JSON.stringify(file)}`, {
      stdio: 'ignore',
    });
  } catch {
    // Without Biome the file is still valid JSON.
  }
  return file;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-bench-'));
  const fake = await FakeSlack.start();
  let app: AppProcess | undefined;
  let seeder: Seeder | undefined;
  // The whole run stops by itself: past the bound, what was measured is written and the app stopped.
  const watchdog = setTimeout(() => {
    log(`the benchmark ran past ${SCALE.totalS} s: stopping`);
    results.stoppedByWatchdog = true;
    stopLoads();
    log(`results (partial): ${writeResults(startedAt)}`);
    void (app?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  }, SCALE.totalS * 1000);
  watchdog.unref();

  try {
    log(`— starting taskpilot (data in ${dataDir})`);
    const launched = Date.now();
    app = await startAppProcess({ dataDir, slackApiUrl: fake.apiUrl, signingSecret: SECRET });
    const startMs = Date.now() - launched;
    const sampler = startRssSampler(app);
    const freshRss = await idleRss(app, 'idleRssFresh');
    seeder = await openSeeder(app.mongoUri, createLogger({ level: 'warn', pretty: false }));
    printTable('start-up (taskpilot start, embedded FerretDB, fresh data folder)', [
      ['start to /readyz 200', `${startMs} ms`, '—'],
      ['idle RSS, no tasks', `${freshRss} MB`, '< 150 MB'],
    ]);
    results.start = { ms: startMs, idleRssMb: freshRss };

    const openedSeeder = seeder;
    await phase('seed', SCALE.seedBudgetS + 30, () => seedPhase(openedSeeder));
    await settle(app);
    const idle = await idleRss(app, 'idleRss');
    printTable('idle, tasks stored', [['idle RSS', `${idle} MB`, '< 150 MB']]);
    const seed = results.seed as { created?: number; ms?: number } | undefined;
    const perCreateMs = seed?.created ? (seed.ms ?? 0) / seed.created : 50;

    const phaseS = SCALE.phaseS;
    const warmupS = SCALE.warmupS;
    const answerWaitS = SCALE.answerWaitS;
    await loadPhase(
      'help',
      app,
      sampler,
      { rate: 100, durationS: phaseS, warmupS, text: 'help', answers: true, answerWaitS },
      [
        ['ack p50', 'p99 < 5 ms'],
        ['acks over 3 s', '0'],
      ],
    );
    await loadPhase(
      'idleCreate',
      app,
      sampler,
      { rate: 2, durationS: Math.min(phaseS, 15), text: CREATE_TEXT, answers: true, answerWaitS },
      [['answer p50', 'p50 < 50 ms']],
    );
    await loadPhase(
      'list',
      app,
      sampler,
      // The seeded people ask: each has a few dozen tasks.
      {
        rate: 5,
        durationS: Math.min(phaseS, 20),
        text: 'list',
        answers: true,
        answerWaitS,
        users: 200,
        userPrefix: 'U0SEED',
        userDigits: 4,
      },
      [['answer p50', 'p99 < 300 ms']],
    );
    await loadPhase(
      'creates20',
      app,
      sampler,
      { rate: 20, durationS: phaseS, warmupS, text: CREATE_TEXT, answers: true, answerWaitS },
      [
        ['answer p50', 'p99 < 300 ms'],
        ['ack errors', '0'],
        ['unanswered', '0'],
      ],
    );
    await loadPhase(
      'creates50',
      app,
      sampler,
      { rate: 50, durationS: phaseS, warmupS, text: CREATE_TEXT, answers: true, answerWaitS },
      [
        ['acks over 3 s', '0'],
        ['answered within 3 s', 'all (created, or told busy)'],
        ['unanswered', '0'],
      ],
    );
    const remindersBound = 35 + 120 + SCALE.reminderSpreadS + 2 * SCALE.graceS + 30;
    await phase('reminders', remindersBound, async () => {
      await settle(app as AppProcess);
      sampler.reset();
      await remindersPhase(openedSeeder, fake, perCreateMs);
      Object.assign(results.reminders as object, { peakRssMb: sampler.phasePeak() });
    });
    await phase('commands', 180, async () => {
      await settle(app as AppProcess);
      await countsPhase(app as AppProcess, fake);
    });
    await floodPhase(app, fake, sampler);
    await settle(app);
    const after = await idleRss(app, 'idleRssAfter');
    printTable('memory (the app process; its FerretDB is a process of its own)', [
      ['idle RSS after the load', `${after} MB`, '< 150 MB'],
      ['peak RSS, whole run', `${rss.peakMb} MB`, '< 300 MB'],
    ]);
    sampler.stop();
    const verdicts = summary();
    printTable(`summary${SMOKE ? ' (smoke run: scaled down, the figures mean nothing)' : ''}`, verdicts, [
      'target',
      'measured',
      'verdict',
    ]);
    results.summary = Object.fromEntries(verdicts.map(([what, measured, verdict]) => [what, { measured, verdict }]));
  } finally {
    clearTimeout(watchdog);
    await seeder?.close().catch(() => undefined);
    if (app?.exited()) log(`the app ${app.exited()}:\n${app.recentOutput()}`);
    results.appExited = app?.exited() ?? null;
    await app?.stop();
    await fake.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    log(`results: ${writeResults(startedAt)} (${Math.round((Date.now() - startedAt) / 1000)} s)`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
