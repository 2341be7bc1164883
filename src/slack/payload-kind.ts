import { PAYLOAD_KINDS, type PayloadKind } from '../observability/metrics';

function isKnownKind(value: unknown): value is PayloadKind {
  return typeof value === 'string' && (PAYLOAD_KINDS as readonly string[]).includes(value);
}

/** Names what Slack sent, for metrics and logs, from the parsed request body. */
export function payloadKind(body: unknown): PayloadKind {
  if (typeof body !== 'object' || body === null) return 'other';
  const record = body as Record<string, unknown>;
  if (typeof record.command === 'string') return 'command';
  if (record.type === 'event_callback') return 'event';
  return isKnownKind(record.type) ? record.type : 'other';
}
