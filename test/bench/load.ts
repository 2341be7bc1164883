// An open-loop load generator of correctly signed Slack requests, for TaskPilot or any Bolt app:
// request i leaves at start + i / rate whatever the app's pace (a slow app does not slow the
// load, as Slack does not wait), and each is timed twice: its ack (the HTTP answer Slack waits
// 3 s for) and its answer (the app's first POST to the request's response_url, which is what a
// person waits for). `npm run bench` imports it; from the command line:
//
//   node dist-bench/test/bench/load.js --url http://127.0.0.1:3000/slack/events --signing-secret S \
//     --rate 20 --duration 30 --text "remind me to water the plants tomorrow at 9am" --answer-port 0
//
// `--help` lists the options. Built on node:http only, so it adds little of its own to measure.
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { quantile } from './quantile';

export type RequestKind = 'command' | 'shortcut';

export interface LoadOptions {
  /** The app's request URL, e.g. http://127.0.0.1:3000/slack/events. */
  url: string;
  signingSecret: string;
  /** Requests per second. */
  rate: number;
  /** Measured seconds. */
  durationS: number;
  /** Seconds sent first and not counted (default 0). */
  warmupS?: number;
  /** What request `n` is: a slash command (default) or a global shortcut; a mix alternates. */
  kinds?: readonly RequestKind[];
  command?: string;
  /** The command's text; a function gives each request its own. */
  text?: string | ((n: number) => string);
  callbackId?: string;
  teamId?: string;
  channelId?: string;
  /** User ids cycle over this many people (default 100). */
  users?: number;
  /** User ids are this prefix and a number of `userDigits` digits (default U0LOAD, 5): U0LOAD00042. */
  userPrefix?: string;
  userDigits?: number;
  /**
   * Runs a response_url sink on this port (0: any free port) and measures answers. Without it,
   * response_urls point at `responseUrlBase` and only acks are measured.
   */
  answerPort?: number;
  responseUrlBase?: string;
  /** How long to wait for answers after the last ack (default 15 s). */
  answerWaitS?: number;
  /** A request's deadline from its start (default 10 s), then it counts as TIMEOUT. */
  timeoutMs?: number;
  /** Keep-alive sockets (default 256). */
  connections?: number;
  /** Answers that say the app is busy (default: "busy" or "try again"). */
  busyPattern?: RegExp;
  /** Called as requests complete, e.g. to sample the app's memory meanwhile. */
  onTick?: () => void;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  rate: number;
  durationS: number;
  sent: number;
  /** 2xx acks. */
  acked: number;
  errors: number;
  errorsByStatus: Record<string, number>;
  ack: LatencySummary;
  /** Acks that took longer than Slack's 3 s, or never came: Slack shows the person an error. */
  acksOver3s: number;
  byKind: Partial<Record<RequestKind, LatencySummary & { sent: number; errors: number }>>;
  /** How late the generator itself sent, against the schedule (if this grows, it is the bottleneck). */
  sendLagMaxMs: number;
  achievedRate: number;
  answers?: {
    answered: number;
    /** Sent commands with no answer by the end of the wait. */
    unanswered: number;
    busy: number;
    /** Answered (created, listed, or told busy) within 3 s of the request. */
    within3s: number;
    latency: LatencySummary;
    /** Of the answers that were not "busy". */
    servedLatency: LatencySummary;
  };
}

interface Sample {
  kind: RequestKind;
  measured: boolean;
  start: number;
  ackMs?: number;
  status?: string;
  answerMs?: number;
  answerText?: string;
}

const round = (value: number): number => Math.round(value * 100) / 100;

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(quantile(sorted, 0.5)),
    p99: round(quantile(sorted, 0.99)),
    max: round(quantile(sorted, 1)),
  };
}

/** Slack's signature: v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{raw body}")). */
function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${crypto.createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function commandBody(fields: Record<string, string>): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_domain: 'bench',
    channel_name: 'general',
    api_app_id: 'A0BENCH',
    is_enterprise_install: 'false',
    ...fields,
  }).toString();
}

function shortcutBody(fields: { teamId: string; userId: string; callbackId: string; triggerId: string }): string {
  const payload = {
    type: 'shortcut',
    token: 'deprecated-verification-token',
    action_ts: (Date.now() / 1000).toFixed(6),
    team: { id: fields.teamId, domain: 'bench' },
    user: { id: fields.userId, username: fields.userId.toLowerCase(), team_id: fields.teamId },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: fields.callbackId,
    trigger_id: fields.triggerId,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The response_url sink: `/answer/<run>/<n>`; the first POST for a request is its answer. */
async function startAnswerSink(
  port: number,
  run: string,
  onAnswer: (n: number, text: string) => void,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    void readText(req).then((raw) => {
      const match = /^\/answer\/([0-9a-f]+)\/(\d+)$/.exec(req.url ?? '');
      if (match?.[1] === run) {
        let text = raw;
        try {
          const body = JSON.parse(raw) as { text?: unknown; blocks?: unknown };
          text = `${String(body.text ?? '')} ${JSON.stringify(body.blocks ?? '')}`;
        } catch {
          // Not JSON: keep the raw body for the busy check.
        }
        onAnswer(Number(match[2]), text);
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${bound}/answer/${run}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends the load and resolves with its figures once every request has its ack (or its timeout). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const transport = target.protocol === 'https:' ? https : http;
  const connections = options.connections ?? 256;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const kinds = options.kinds ?? ['command'];
  const teamId = options.teamId ?? 'T0BENCH';
  const channelId = options.channelId ?? 'C0BENCH';
  const users = Math.max(1, options.users ?? 100);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const busy = options.busyPattern ?? /\bbusy\b|try again/i;
  const warmupN = Math.round(options.rate * (options.warmupS ?? 0));
  const totalN = warmupN + Math.max(1, Math.round(options.rate * options.durationS));
  const interval = 1000 / options.rate;
  const run = crypto.randomBytes(4).toString('hex');
  const samples: Sample[] = [];
  let answerPending = 0;
  let onAllAnswered: (() => void) | undefined;

  const sink =
    options.answerPort === undefined
      ? undefined
      : await startAnswerSink(options.answerPort, run, (n, text) => {
          const sample = samples[n];
          if (!sample || sample.answerMs !== undefined) return;
          sample.answerMs = performance.now() - sample.start;
          sample.answerText = text;
          answerPending -= 1;
          if (answerPending === 0) onAllAnswered?.();
        });
  const responseBase = sink?.base ?? `${(options.responseUrlBase ?? 'https://hooks.slack.com').replace(/\/+$/, '')}`;

  let lagMax = 0;
  let completed = 0;
  let onAllAcked: (() => void) | undefined;
  const finishRequest = (sample: Sample, status: string) => {
    if (sample.status !== undefined) return;
    sample.status = status;
    sample.ackMs = performance.now() - sample.start;
    completed += 1;
    options.onTick?.();
    if (completed === totalN) onAllAcked?.();
  };

  const send = (n: number, due: number) => {
    const kind = kinds[n % kinds.length] as RequestKind;
    const userId = `${options.userPrefix ?? 'U0LOAD'}${String(n % users).padStart(options.userDigits ?? 5, '0')}`;
    const triggerId = `${n}.${Math.floor(Date.now() / 1000)}.${crypto.randomBytes(8).toString('hex')}`;
    const text = typeof options.text === 'function' ? options.text(n) : (options.text ?? 'help');
    const body =
      kind === 'command'
        ? commandBody({
            team_id: teamId,
            channel_id: channelId,
            user_id: userId,
            user_name: userId.toLowerCase(),
            command: options.command ?? '/task',
            text,
            response_url: sink ? `${responseBase}/${n}` : `${responseBase}/commands/${teamId}/${run}/${n}`,
            trigger_id: triggerId,
          })
        : shortcutBody({ teamId, userId, callbackId: options.callbackId ?? 'create_task', triggerId });
    const timestamp = Math.floor(Date.now() / 1000);
    const sample: Sample = { kind, measured: n >= warmupN, start: performance.now() };
    samples[n] = sample;
    lagMax = Math.max(lagMax, sample.start - due);
    if (sink && kind === 'command') answerPending += 1;
    const req = transport.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': sign(options.signingSecret, timestamp, body),
          'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => finishRequest(sample, String(res.statusCode ?? 0)));
        res.on('error', (error: NodeJS.ErrnoException) => finishRequest(sample, error.code ?? 'RESPONSE_ERROR'));
      },
    );
    // The deadline runs from the request's start, so time queued for a socket counts too.
    const deadline = setTimeout(() => {
      finishRequest(sample, 'TIMEOUT');
      req.destroy();
    }, timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (error: NodeJS.ErrnoException) => finishRequest(sample, error.code ?? 'REQUEST_ERROR'));
    req.end(body);
  };

  const acked = new Promise<void>((resolve) => {
    onAllAcked = resolve;
  });
  const started = performance.now() + 20;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < totalN && started + next * interval <= now) {
        send(next, started + next * interval);
        next += 1;
      }
      if (next < totalN) setTimeout(tick, Math.max(0, Math.floor(started + next * interval - performance.now())));
      else resolve();
    };
    setTimeout(tick, 20);
  });
  const lastSent = performance.now();
  if (completed < totalN) await acked;

  if (sink) {
    if (answerPending > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          onAllAnswered = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, (options.answerWaitS ?? 15) * 1000);
        }),
      ]);
      clearTimeout(timer);
    }
    await sink.close();
  }
  agent.destroy();

  const measured = samples.filter((sample) => sample.measured);
  const ok = (sample: Sample) => sample.status !== undefined && /^2\d\d$/.test(sample.status);
  const errorsByStatus: Record<string, number> = {};
  for (const sample of measured) {
    if (!ok(sample)) errorsByStatus[sample.status ?? 'NONE'] = (errorsByStatus[sample.status ?? 'NONE'] ?? 0) + 1;
  }
  const byKind: LoadResult['byKind'] = {};
  for (const kind of new Set(kinds)) {
    const ofKind = measured.filter((sample) => sample.kind === kind);
    byKind[kind] = {
      sent: ofKind.length,
      errors: ofKind.filter((sample) => !ok(sample)).length,
      ...summarize(ofKind.filter(ok).map((sample) => sample.ackMs ?? 0)),
    };
  }
  const first = measured[0]?.start ?? 0;
  const last = measured.at(-1)?.start ?? lastSent;
  const result: LoadResult = {
    rate: options.rate,
    durationS: options.durationS,
    sent: measured.length,
    acked: measured.filter(ok).length,
    errors: measured.filter((sample) => !ok(sample)).length,
    errorsByStatus,
    ack: summarize(measured.filter(ok).map((sample) => sample.ackMs ?? 0)),
    acksOver3s: measured.filter((sample) => !ok(sample) || (sample.ackMs ?? 0) > 3000).length,
    byKind,
    sendLagMaxMs: round(lagMax),
    achievedRate: measured.length > 1 ? round((measured.length - 1) / ((last - first) / 1000)) : measured.length,
  };
  if (sink) {
    const commands = measured.filter((sample) => sample.kind === 'command');
    const answered = commands.filter((sample) => sample.answerMs !== undefined);
    const isBusy = (sample: Sample) => busy.test(sample.answerText ?? '');
    result.answers = {
      answered: answered.length,
      unanswered: commands.length - answered.length,
      busy: answered.filter(isBusy).length,
      within3s: answered.filter((sample) => (sample.answerMs ?? 0) <= 3000).length,
      latency: summarize(answered.map((sample) => sample.answerMs ?? 0)),
      servedLatency: summarize(answered.filter((sample) => !isBusy(sample)).map((sample) => sample.answerMs ?? 0)),
    };
  }
  return result;
}

/** The figures as a few lines of text. */
export function formatLoad(result: LoadResult): string {
  const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value} ms`);
  const errors = Object.entries(result.errorsByStatus)
    .map(([status, count]) => `${status}=${count}`)
    .join(' ');
  const lines = [
    `sent ${result.sent} at ${result.rate}/s (achieved ${result.achievedRate}/s, send lag max ${result.sendLagMaxMs} ms)`,
    `acks: ${result.acked} ok, ${result.errors} errors${errors ? ` (${errors})` : ''}; p50 ${ms(result.ack.p50)}, p99 ${ms(result.ack.p99)}, max ${ms(result.ack.max)}; over 3 s or none: ${result.acksOver3s}`,
  ];
  for (const [kind, figures] of Object.entries(result.byKind)) {
    if (Object.keys(result.byKind).length > 1) {
      lines.push(
        `  ${kind}: ${figures.sent} sent, ${figures.errors} errors; p50 ${ms(figures.p50)}, p99 ${ms(figures.p99)}`,
      );
    }
  }
  if (result.answers) {
    const a = result.answers;
    lines.push(
      `answers: ${a.answered} (${a.busy} busy), ${a.unanswered} unanswered, ${a.within3s} within 3 s; p50 ${ms(a.latency.p50)}, p99 ${ms(a.latency.p99)}, max ${ms(a.latency.max)}`,
    );
  }
  return lines.join('\n');
}

const USAGE = `usage: node dist-bench/test/bench/load.js --url URL --signing-secret SECRET [options]
  --rate N            requests per second, open loop (default 100)
  --duration S        measured seconds (default 30)
  --warmup S          seconds sent first and not counted (default 0)
  --kind K            command (default) | shortcut | mix (alternates the two)
  --command C         slash command (default /task)
  --text T            the command's text (default help)
  --callback-id ID    a global shortcut's callback_id (default create_task)
  --team T / --channel C / --users N   who the requests come from (T0BENCH, C0BENCH, 100 people)
  --user-prefix P --user-digits D      user ids P + a D-digit number (default U0LOAD, 5)
  --answer-port P     run a response_url sink on 127.0.0.1:P (0: any port) and time the answers
  --answer-wait S     seconds to wait for answers after the last ack (default 15)
  --timeout MS        a request's deadline from its start (default 10000)
  --connections N     keep-alive sockets (default 256)
  --json              print the figures as one JSON object on the last line`;

async function cli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      'signing-secret': { type: 'string' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '0' },
      kind: { type: 'string', default: 'command' },
      command: { type: 'string', default: '/task' },
      text: { type: 'string', default: 'help' },
      'callback-id': { type: 'string', default: 'create_task' },
      team: { type: 'string', default: 'T0BENCH' },
      channel: { type: 'string', default: 'C0BENCH' },
      users: { type: 'string', default: '100' },
      'user-prefix': { type: 'string', default: 'U0LOAD' },
      'user-digits': { type: 'string', default: '5' },
      'answer-port': { type: 'string' },
      'answer-wait': { type: 'string', default: '15' },
      timeout: { type: 'string', default: '10000' },
      connections: { type: 'string', default: '256' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.url || values['signing-secret'] === undefined)
    throw new Error(`--url and --signing-secret are required\n${USAGE}`);
  const kinds: Record<string, RequestKind[]> = {
    command: ['command'],
    shortcut: ['shortcut'],
    mix: ['command', 'shortcut'],
  };
  const chosen = kinds[values.kind];
  if (!chosen) throw new Error(`--kind must be command, shortcut or mix\n${USAGE}`);
  const number = (name: keyof typeof values, min: number): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${String(name)} must be a number >= ${min}`);
    return value;
  };
  const result = await runLoad({
    url: values.url,
    signingSecret: values['signing-secret'],
    rate: number('rate', 0.001),
    durationS: number('duration', 0.001),
    warmupS: number('warmup', 0),
    kinds: chosen,
    command: values.command,
    text: values.text,
    callbackId: values['callback-id'],
    teamId: values.team,
    channelId: values.channel,
    users: number('users', 1),
    userPrefix: values['user-prefix'],
    userDigits: number('user-digits', 1),
    answerPort: values['answer-port'] === undefined ? undefined : number('answer-port', 0),
    answerWaitS: number('answer-wait', 0),
    timeoutMs: number('timeout', 1),
    connections: number('connections', 1),
  });
  process.stdout.write(`${formatLoad(result)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  cli(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
