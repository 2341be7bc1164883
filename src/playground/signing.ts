import { createHmac } from 'node:crypto';

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<timestamp>:<raw body>"). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedRequestOptions {
  secret: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Replace the signature (forgery tests). */
  signature?: string;
  headers?: Record<string, string>;
}

/** Posts a body to /slack/events exactly as Slack would sign it. */
export async function postSigned(
  url: string,
  body: string,
  contentType: 'application/x-www-form-urlencoded' | 'application/json',
  options: SignedRequestOptions,
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
}

/** A slash command body, form-encoded as Slack sends it. */
export function slashCommandBody(fields: Record<string, string>): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEST',
    team_domain: 'test',
    channel_id: 'C0TEST',
    channel_name: 'general',
    user_id: 'U0TEST',
    user_name: 'tester',
    command: '/task',
    text: '',
    api_app_id: 'A0TEST',
    trigger_id: '1.2.3',
    ...fields,
  }).toString();
}

/** An interactivity body (block_actions, view_submission…): form-encoded `payload` JSON. */
export function interactivityBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
