import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { Agent, request } from 'undici';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { Admission } from '../util/admission';
import { payloadKind } from './payload-kind';

export const BUSY_TEXT = "I'm busy right now — please try again in a moment. Nothing was changed.";

/**
 * A view submission's answer is its ack, and Slack waits 3 s for it: it waits at most this for a
 * slot, leaving time for its listener's own bounded checks (see listeners/views).
 */
const VIEW_SUBMISSION_WAIT_MS = 500;

/** How a refused request is told, from what its payload offers. */
type Tell =
  | { via: 'respond' }
  | { via: 'form'; blockId: string | undefined; userId: string | undefined }
  | { via: 'thread'; channel: string; threadTs: string }
  | { via: 'dm'; userId: string }
  | { via: 'nobody' };

interface Body {
  command?: string;
  type?: string;
  response_url?: string;
  user?: { id?: string } | string;
  user_id?: string;
  view?: { type?: string; blocks?: { type?: string; block_id?: string }[] };
  event?: {
    type?: string;
    channel?: string;
    channel_type?: string;
    ts?: string;
    thread_ts?: string;
    subtype?: string;
    bot_id?: string;
    user?: string;
  };
}

function userOf(body: Body): string | undefined {
  return typeof body.user === 'object' ? body.user.id : (body.user_id ?? body.user);
}

/**
 * What a payload asks of the process, for admission: `undefined` for work that is not a person's
 * request (lifecycle events, ignored messages, home-tab opens, which refresh in the background)
 * and is never refused; otherwise how the person is told when it is refused.
 */
export function admissionOf(body: Body): Tell | undefined {
  if (body.command) return { via: 'respond' };
  const user = userOf(body);
  switch (body.type) {
    case 'block_actions':
      if (body.response_url) return { via: 'respond' };
      // An input changed in an open form (its preview): the submit is checked again anyway.
      if (body.view?.type === 'modal') return { via: 'nobody' };
      return user ? { via: 'dm', userId: user } : { via: 'nobody' };
    case 'message_action':
      return { via: 'respond' };
    case 'shortcut':
      return user ? { via: 'dm', userId: user } : { via: 'nobody' };
    case 'view_submission':
      return {
        via: 'form',
        blockId: body.view?.blocks?.find((block) => block.type === 'input')?.block_id,
        userId: user,
      };
    case 'event_callback': {
      const event = body.event;
      if (!event?.channel || !event.ts || event.subtype || event.bot_id) return undefined;
      const isRequest = event.type === 'app_mention' || (event.type === 'message' && event.channel_type === 'im');
      return isRequest ? { via: 'thread', channel: event.channel, threadTs: event.thread_ts ?? event.ts } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Global middleware, first in the chain: a person's request runs only with a slot of admission
 * control. Over the bound it waits briefly in a bounded queue; refused, nothing of it runs (no
 * middleware after this one, no listener, no write) and the person is told kindly that TaskPilot
 * is busy, through the response URL, the form, the thread or a DM, well within Slack's 3 s. The
 * acknowledgement itself was sent on arrival (see measuredReceiver), except a view
 * submission's, which is the busy answer.
 */
export function admissionControl(
  admission: Admission,
  metrics: Metrics,
  logger: Logger,
): Middleware<AnyMiddlewareArgs> {
  // A flood refuses hundreds a second: one line a second says so, the counter has each one.
  let shedSinceLog = 0;
  let lastLog = 0;
  const logShed = (kind: string) => {
    shedSinceLog += 1;
    const now = Date.now();
    if (now - lastLog < 1000) return;
    logger.warn(
      { kind, shed: shedSinceLog, inFlight: admission.inFlight, waiting: admission.waiting },
      'busy: requests refused (counted in taskpilot_requests_shed_total)',
    );
    shedSinceLog = 0;
    lastLog = now;
  };
  const gauge = () => {
    metrics.admission.set({ state: 'in_flight' }, admission.inFlight);
    metrics.admission.set({ state: 'waiting' }, admission.waiting);
  };
  return async (args) => {
    const body = args.body as Body;
    const tell = admissionOf(body);
    if (!tell) {
      await args.next();
      return;
    }
    const release = await admission.admit(tell.via === 'form' ? VIEW_SUBMISSION_WAIT_MS : undefined);
    gauge();
    if (!release) {
      const kind = payloadKind(body);
      metrics.shedRequests.inc({ kind });
      logShed(kind);
      await tellBusy(tell, { ...(args as unknown as BusyArgs), body }).catch((error) =>
        logger.warn({ err: error, kind }, 'could not tell a refused request that we are busy'),
      );
      return;
    }
    try {
      await args.next();
    } finally {
      release();
      gauge();
    }
  };
}

interface BusyArgs {
  client: WebClient;
  body: Body;
  ack?: (response?: unknown) => Promise<void>;
}

/**
 * Busy answers go out at the rate requests are refused, hundreds a second in a flood: through
 * undici's request on kept-alive connections, which costs a fifth of the CPU of fetch (Bolt's
 * `respond`) per answer, measured on this machine (73 µs against 390 µs).
 */
const responseUrls = new Agent({ connections: 32, keepAliveTimeout: 4000, headersTimeout: 3000, bodyTimeout: 3000 });
const BUSY_BODY = JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: BUSY_TEXT });

async function postBusy(responseUrl: string): Promise<void> {
  const answer = await request(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BUSY_BODY,
    dispatcher: responseUrls,
  });
  await answer.body.dump();
  if (answer.statusCode >= 400) throw new Error(`response_url answered ${answer.statusCode}`);
}

async function tellBusy(tell: Tell, { client, body, ack }: BusyArgs): Promise<void> {
  switch (tell.via) {
    case 'respond':
      if (body.response_url) await postBusy(body.response_url);
      return;
    case 'form':
      // The form stays open with the note on its first field, so the person can submit again.
      if (tell.blockId) {
        await ack?.({ response_action: 'errors', errors: { [tell.blockId]: BUSY_TEXT } });
        return;
      }
      await ack?.();
      if (tell.userId) await client.chat.postMessage({ channel: tell.userId, text: BUSY_TEXT });
      return;
    case 'thread':
      await client.chat.postMessage({ channel: tell.channel, thread_ts: tell.threadTs, text: BUSY_TEXT });
      return;
    case 'dm':
      await client.chat.postMessage({ channel: tell.userId, text: BUSY_TEXT });
      return;
    case 'nobody':
      return;
  }
}
