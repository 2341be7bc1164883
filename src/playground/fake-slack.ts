import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API and response URLs, for end-to-end tests and
 * `taskpilot playground`: the app talks HTTP to it exactly as to slack.com (SLACK_API_URL); it
 * records every call, answers like Slack, and answers 429 with Retry-After when asked to.
 */
export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
  at: number;
  /** What the fake answered (Web API calls only). */
  result?: Record<string, unknown>;
}

type Answer = (body: Record<string, unknown>) => Record<string, unknown>;

let sequence = 0;
const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;

const DEFAULT_ANSWERS: Record<string, Answer> = {
  'auth.test': () => ({
    url: 'https://test.slack.com/',
    team: 'Test',
    user: 'taskpilot',
    team_id: 'T0TEST',
    user_id: 'U0BOT',
    bot_id: 'B0BOT',
  }),
  'chat.postMessage': (body) => ({ channel: body.channel, ts: nextTs(), message: { text: body.text } }),
  'chat.update': (body) => ({ channel: body.channel, ts: body.ts }),
  'chat.postEphemeral': () => ({ message_ts: nextTs() }),
  'chat.getPermalink': (body) => ({
    permalink: `https://test.slack.com/archives/${body.channel}/p${String(body.message_ts).replace('.', '')}`,
  }),
  'conversations.open': (body) => ({ channel: { id: `D${String(body.users).replace(/^U/, '')}` } }),
  'users.info': (body) => ({
    user: { id: body.user, tz: 'Europe/Berlin', tz_label: 'Central European Time', tz_offset: 3600 },
  }),
  'oauth.v2.access': () => ({
    app_id: 'A0TEST',
    authed_user: { id: 'U0INSTALLER' },
    scope: 'app_mentions:read,chat:write,commands',
    token_type: 'bot',
    access_token: 'xoxb-installed-token',
    bot_user_id: 'U0BOT',
    team: { id: 'T0OAUTH', name: 'OAuth Test' },
    enterprise: null,
    is_enterprise_install: false,
  }),
  'users.list': () => ({
    members: [
      { id: 'U0ADMIN', is_admin: true },
      { id: 'U0MEMBER', is_admin: false },
    ],
  }),
  'views.publish': () => ({ view: { id: 'V0HOME' } }),
  'views.open': () => ({ view: { id: 'V0MODAL' } }),
  'views.update': () => ({ view: { id: 'V0MODAL' } }),
  'files.completeUploadExternal': (body) => ({ files: body.files }),
};

function parseValue(value: string): unknown {
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

async function readRaw(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readRaw(req);
  if (!raw) return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(raw);
  return Object.fromEntries([...new URLSearchParams(raw)].map(([key, value]) => [key, parseValue(value)]));
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  /** Messages posted to response URLs (respond()), keyed by the URL's id. */
  readonly responses: (RecordedCall & { id: string })[] = [];
  /** Files sent to the upload URLs files.getUploadURLExternal hands out, by file id. */
  readonly uploads = new Map<string, string>();
  private readonly answers = new Map<string, Answer>();
  private readonly limits = new Map<string, { remaining: number; retryAfterSeconds: number }>();
  private readonly events = new EventEmitter();
  /** Every message posted, by channel, so conversations.history can answer like Slack. */
  private readonly posted = new Map<string, { ts: string; text: unknown; thread_ts?: unknown; metadata?: unknown }[]>();
  private held: { method: string; release: Promise<void>; open: () => void } | undefined;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = http.createServer((req, res) => {
      void fake?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSlack(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** What SLACK_API_URL should be. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.baseUrl}/respond/${id}`;
  }

  /** Overrides the answer to a method (`ok: true` is added unless the answer sets ok). */
  answer(method: string, answer: Answer): void {
    this.answers.set(method, answer);
  }

  /** The next `times` calls to `method` get 429 with Retry-After. */
  rateLimit(method: string, times: number, retryAfterSeconds = 1): void {
    this.limits.set(method, { remaining: times, retryAfterSeconds });
  }

  /**
   * The next calls to `method` are recorded (they count as made) but answered only after
   * `release()`: a test can kill the caller while Slack has the message and the caller does not
   * know yet.
   */
  hold(method: string): { release: () => void } {
    let open = () => {};
    const release = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.held = { method, release, open };
    return {
      release: () => {
        open();
        this.held = undefined;
      },
    };
  }

  /** Runs `listener` for every Web API call from now on (the playground prints posts). */
  onCall(listener: (call: RecordedCall) => void): void {
    this.events.on('call', () => {
      const latest = this.calls.at(-1);
      if (latest) listener(latest);
    });
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves with the first call (past or future) that matches; rejects after `timeoutMs`. */
  waitForCall(
    method: string,
    match: (call: RecordedCall) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<RecordedCall> {
    return this.waitFor(
      'call',
      () => this.calls.find((call) => call.method === method && match(call)),
      timeoutMs,
      method,
    );
  }

  waitForResponse(id: string, timeoutMs = 5000): Promise<RecordedCall & { id: string }> {
    return this.waitFor(
      'response',
      () => this.responses.find((response) => response.id === id),
      timeoutMs,
      `response ${id}`,
    );
  }

  private waitFor<T>(event: string, find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onEvent = () => {
        const match = find();
        if (match) {
          cleanup();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake Slack: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off(event, onEvent);
      };
      this.events.on(event, onEvent);
    });
  }

  private async handle(req: IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', this.baseUrl);
    const upload = /^\/upload\/([^/]+)$/.exec(pathname);
    if (upload?.[1]) {
      this.uploads.set(upload[1], await readRaw(req));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${upload[1]}`);
      return;
    }
    const body: Record<string, unknown> = await readBody(req).catch(() => ({}));
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };

    const respond = /^\/respond\/([^/]+)$/.exec(pathname);
    if (respond?.[1]) {
      this.responses.push({ id: respond[1], method: 'response_url', body, authorization: undefined, at: Date.now() });
      this.events.emit('response');
      send(200, { ok: true });
      return;
    }

    const api = /^\/api\/([\w.]+)$/.exec(pathname);
    if (!api?.[1]) {
      send(404, { ok: false, error: 'unknown_path' });
      return;
    }
    const method = api[1];
    const limit = this.limits.get(method);
    if (limit && limit.remaining > 0) {
      limit.remaining -= 1;
      send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfterSeconds) });
      return;
    }
    const answer =
      this.answers.get(method) ??
      this.history(method) ??
      this.uploadUrl(method) ??
      DEFAULT_ANSWERS[method] ??
      (() => ({}));
    const result: Record<string, unknown> = { ok: true, ...answer(body) };
    this.calls.push({ method, body, authorization: req.headers.authorization, at: Date.now(), result });
    this.events.emit('call');
    if (method === 'chat.postMessage' && result.ok && typeof result.ts === 'string') {
      const channel = String(body.channel);
      const messages = this.posted.get(channel) ?? [];
      messages.push({ ts: result.ts, text: body.text, thread_ts: body.thread_ts, metadata: body.metadata });
      this.posted.set(channel, messages);
    }
    if (this.held?.method === method) await this.held.release;
    if (res.destroyed) return;
    send(200, result);
  }

  /** files.uploadV2's first step: an upload URL on this server. */
  private uploadUrl(method: string): Answer | undefined {
    if (method !== 'files.getUploadURLExternal') return undefined;
    return () => {
      const fileId = `F${String(++sequence).padStart(8, '0')}`;
      return { file_id: fileId, upload_url: `${this.baseUrl}/upload/${fileId}` };
    };
  }

  /** conversations.history / replies over what was posted, newest first, metadata included. */
  private history(method: string): Answer | undefined {
    if (method !== 'conversations.history' && method !== 'conversations.replies') return undefined;
    return (body) => {
      const oldest = Number(body.oldest ?? 0);
      const messages = (this.posted.get(String(body.channel)) ?? [])
        .filter((message) => Number(message.ts) >= oldest)
        .filter((message) => method === 'conversations.history' || message.thread_ts === body.ts)
        .reverse();
      return { messages, has_more: false };
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
