import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MongoClient, ObjectId } from 'mongodb';
import { FakeSlack } from '../../src/playground/fake-slack';
import { postSigned, slashCommandBody } from '../../src/playground/signing';
import { JobNames } from '../../src/reminders/reminder-schedule';
import { Scheduler } from '../../src/scheduler/scheduler';
import { type AppProcess, isAlive, startAppOnEmbeddedDb } from '../helpers/app-process';
import { requireBuild } from '../helpers/child';
import { eventually, within } from '../helpers/eventually';
import { requireFerretdb } from '../helpers/ferretdb';
import { testLogger } from '../helpers/logger';

const SECRET = 'fault-signing-secret';
/** Creates a second, for LOAD_REQUESTS; the database is killed after KILL_AFTER of them. */
const RATE_PER_S = 10;
const LOAD_REQUESTS = 120;
const KILL_AFTER = 40;
/** Creates sent at once just before the kill. */
const BURST = 10;

interface Request {
  id: string;
  /** `ping …` titles are due in a minute and fire during the test; `load …` ones in 3, after it. */
  title: string;
  ackMs?: number;
  status?: number;
  error?: string;
}

type Outcome = { kind: 'created'; number: number } | { kind: 'not saved' } | { kind: 'maybe saved' } | { kind: 'busy' };

/** What the person was told, from the app's answer to the request's response URL. */
function outcomeOf(text: string, title: string): Outcome {
  const created = /^Task #(\d+) created: (.*)$/.exec(text);
  if (created?.[2] === title) return { kind: 'created', number: Number(created[1]) };
  if (text.startsWith("I couldn't save that")) return { kind: 'not saved' };
  if (text.includes("I can't tell whether it was saved")) return { kind: 'maybe saved' };
  // Admission control: while the database restarts, requests hold their slots and a burst past
  // the bound is refused before it starts.
  if (text.startsWith("I'm busy right now") && text.includes('Nothing was changed')) return { kind: 'busy' };
  throw new Error(`unexpected answer to "${title}": ${text}`);
}

/**
 * The embedded database is SIGKILLed in the middle of a load of creates and reminders, and the
 * app, as `taskpilot start` runs it, is expected to carry on: it restarts the database, keeps
 * acknowledging, reports the gap on /readyz, and loses nothing a person was told was saved.
 * Reminders come in whole minutes, so the ones due after the crash make this test last a minute.
 */
describe('the embedded database killed mid-load', () => {
  let dataDir: string;
  let slack: FakeSlack;
  let running: AppProcess | undefined;
  let client: MongoClient | undefined;

  beforeAll(async () => {
    // The app runs on an embedded FerretDB of its own: without the binary this fails, never skips.
    requireFerretdb();
    requireBuild();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-crash-'));
    slack = await FakeSlack.start();
  });

  afterAll(async () => {
    await client?.close();
    if (running && running.app.child.exitCode === null && running.app.child.signalCode === null) {
      running.app.child.kill('SIGKILL');
      await running.app.exited;
    }
    // A killed app leaves its database behind; this test started it, so it stops it.
    const db = running?.pids()?.db;
    if (db && isAlive(db)) process.kill(db, 'SIGKILL');
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps acking, reports the outage, recovers by itself and keeps every promise', async () => {
    const app = await startAppOnEmbeddedDb(dataDir, {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-fault',
      SLACK_API_URL: slack.apiUrl,
      TASKPILOT_POLL_MS: '500',
      TASKPILOT_DISPATCH_MS: '500',
      TASKPILOT_REMINDER_BACKSTOP_MS: '3000',
    });
    running = app;
    let exitedEarly: string | undefined;
    app.app.child.once('exit', (code, signal) => {
      exitedEarly ??= `exited with ${signal ?? code}`;
    });
    const firstDb = app.pids();
    expect(firstDb?.owner).toBe(app.app.child.pid);
    const firstDbPid = firstDb?.db ?? 0;
    expect(isAlive(firstDbPid)).toBe(true);

    const readiness = async () => {
      const res = await fetch(`${app.baseUrl}/readyz`, { signal: AbortSignal.timeout(3000) });
      return { status: res.status, body: (await res.json()) as { failing?: string[] } };
    };
    expect((await readiness()).status).toBe(200);

    const requests: Request[] = [];
    const send = async (title: string, when: string): Promise<void> => {
      const request: Request = { id: `c${requests.length}`, title };
      requests.push(request);
      const started = Date.now();
      try {
        const res = await within(
          postSigned(
            `${app.baseUrl}/slack/events`,
            slashCommandBody({
              text: `${title} ${when}`,
              user_id: `U0LOAD${requests.length % 5}`,
              team_id: 'T0TEST',
              response_url: slack.responseUrl(request.id),
            }),
            'application/x-www-form-urlencoded',
            { secret: SECRET },
          ),
          10_000,
          `the ack of ${request.id}`,
        );
        await res.arrayBuffer();
        request.status = res.status;
      } catch (error) {
        request.error = String(error);
      }
      request.ackMs = Date.now() - started;
    };

    // An open loop at a steady rate: a slow ack does not hold the next request back.
    let killedAt = 0;
    let markKilled = () => {};
    const killed = new Promise<void>((resolve) => {
      markKilled = resolve;
    });
    const acks: Promise<void>[] = [];
    const loadStarted = Date.now();
    const load = (async () => {
      for (let i = 0; i < LOAD_REQUESTS; i += 1) {
        await delay(Math.max(0, loadStarted + (i * 1000) / RATE_PER_S - Date.now()));
        if (i === KILL_AFTER) {
          // A burst first, and the kill once its first request is answered: the others are then
          // being written, or waiting for one of the two connections, when the database dies.
          const burst = requests.length;
          for (let j = 0; j < BURST; j += 1) acks.push(send(`load burst b${j}`, 'in 3 minutes'));
          await slack.waitForResponse(`c${burst}`, 10_000);
          process.kill(firstDbPid, 'SIGKILL');
          killedAt = Date.now();
          markKilled();
          // Reminders asked for while the database is down: saved once it is back, or refused.
          acks.push(send('ping fault-r2', 'in 1 minute'), send('ping fault-r3', 'in 1 minute'));
        }
        if (i < 2) acks.push(send(`ping fault-r${i}`, 'in 1 minute'));
        else acks.push(send(`load item k${i}`, 'in 3 minutes'));
      }
      await Promise.all(acks);
    })();

    // /readyz names the database while it is down, and is ready again once it is back. Asked
    // once the app has seen the exit: a probe already waiting on the old server would wait the
    // whole restart out (well under its deadline) and answer ready.
    await killed;
    await app.app.line(/"msg":"embedded database exited unexpectedly"/, 5000);
    const down = await eventually(
      async () => {
        const result = await readiness();
        return result.status === 503 ? result : undefined;
      },
      '/readyz reporting the outage',
      { timeoutMs: 5000, intervalMs: 20 },
    );
    expect(down.body.failing).toContain('mongodb');
    const up = await eventually(
      async () => {
        const result = await readiness();
        return result.status === 200 ? result : undefined;
      },
      '/readyz ready again',
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(up.body.failing ?? []).toEqual([]);
    const recoveredMs = Date.now() - killedAt;

    // The database is a new process on the same data, and the pid file says so.
    const restarted = app.pids();
    expect(restarted?.owner).toBe(app.app.child.pid);
    expect(restarted?.db).not.toBe(firstDbPid);
    expect(isAlive(restarted?.db ?? 0)).toBe(true);
    expect(isAlive(firstDbPid)).toBe(false);

    await load;
    // Every ack in time, through the crash included.
    const late = requests.filter((request) => request.status !== 200 || (request.ackMs ?? Infinity) >= 3000);
    expect(late).toEqual([]);

    // Every request answered: created, or told it was not (or may not have been) saved.
    await eventually(
      async () => requests.every((request) => slack.responses.some((response) => response.id === request.id)),
      'an answer to every request',
      { timeoutMs: 30_000 },
    );
    const outcomes = new Map(
      requests.map((request) => {
        const answer = slack.responses.find((response) => response.id === request.id);
        return [request.id, outcomeOf(String(answer?.body.text ?? ''), request.title)];
      }),
    );

    client = await MongoClient.connect(`mongodb://127.0.0.1:${app.dbPort}/taskpilot`);
    const db = client.db('taskpilot');
    const tasks = await db.collection('tasks').find({}).toArray();
    const byTitle = new Map(tasks.map((task) => [String(task.title), task]));
    // A retried insert never stores a task twice.
    expect(byTitle.size).toBe(tasks.length);
    for (const request of requests) {
      const outcome = outcomes.get(request.id);
      const stored = byTitle.get(request.title);
      if (outcome?.kind === 'created')
        expect({ title: request.title, number: stored?.number }).toEqual({
          title: request.title,
          number: outcome.number,
        });
      if (outcome?.kind === 'not saved' || outcome?.kind === 'busy')
        expect({ title: request.title, stored: Boolean(stored) }).toEqual({
          title: request.title,
          stored: false,
        });
    }

    // Agenda works on the restarted database: a job enqueued now is locked and run, and the
    // reconciler it runs leaves every stored reminder with its job (nothing half-written).
    const enqueuer = new Scheduler({ db, logger: testLogger() });
    await enqueuer.agenda.ready;
    const reconcile = await enqueuer.agenda.now(JobNames.reconcileReminders);
    const jobs = db.collection(Scheduler.COLLECTION);
    await eventually(
      async () => (await jobs.findOne({ _id: new ObjectId(String(reconcile.attrs._id)) }))?.lastFinishedAt,
      'a reconcile run by the app after the restart',
      { timeoutMs: 15_000 },
    );
    const jobIds = new Set(
      (await jobs.find({ name: JobNames.fireReminder }, { projection: { _id: 1 } }).toArray()).map((job) =>
        String(job._id),
      ),
    );
    const withoutJob = tasks.filter((task) => task.nextFireAt && !jobIds.has(String(task._id)));
    expect(withoutJob.map((task) => task.title)).toEqual([]);

    // The reminders that were saved fire once each, after the recovery.
    const reminders = tasks.filter((task) => String(task.title).startsWith('ping fault-r'));
    expect(reminders.length).toBeGreaterThanOrEqual(2);
    for (const task of reminders) {
      const dueAt = (task.dueAt as Date).getTime();
      expect(dueAt).toBeGreaterThan(killedAt + recoveredMs);
      const text = `Reminder: #${task.number} ${task.title}`;
      await slack.waitForCall('chat.postMessage', (call) => call.body.text === text, dueAt - Date.now() + 15_000);
      // Fired and put away: no job left to fire it again.
      await eventually(
        async () =>
          !(await jobs.findOne({ _id: task._id })) &&
          !(await db.collection('tasks').findOne({ _id: task._id }))?.nextFireAt,
        `${task.title} closed after firing`,
      );
    }

    expect(exitedEarly).toBeUndefined();
    app.app.child.kill('SIGTERM');
    expect((await within(app.app.exited, 10_000, 'the app stopping')).code).toBe(0);
    // Checked after the stop, so a late second firing would have been seen.
    for (const task of reminders) {
      const text = `Reminder: #${task.number} ${task.title}`;
      expect({
        text,
        posts: slack.callsTo('chat.postMessage').filter((call) => call.body.text === text).length,
      }).toEqual({ text, posts: 1 });
    }

    // Nothing went unhandled on the way (Agenda and the driver included), and nothing was fatal.
    const unhandled = app
      .logLines()
      .filter((line) => line.msg === 'unhandled promise rejection' || Number(line.level) >= 60);
    expect(unhandled).toEqual([]);
    const logged = app.logLines().map((line) => line.msg);
    expect(logged).toContain('embedded database exited unexpectedly');
    expect(logged).toContain('embedded database restarted');
    // A stop asked for is not a crash: nothing restarted it, and the pid file is gone.
    expect(logged.filter((msg) => msg === 'embedded database restarted')).toHaveLength(1);
    expect(fs.existsSync(app.pidFile)).toBe(false);
    expect(isAlive(restarted?.db ?? 0)).toBe(false);
  }, 110_000);
});
