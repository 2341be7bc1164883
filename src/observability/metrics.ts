import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The payload kinds Slack sends to /slack/events; anything else is counted as "other". */
export const PAYLOAD_KINDS = [
  'command',
  'event',
  'block_actions',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'block_suggestion',
  'interactive_message',
  'dialog_submission',
  'workflow_step_edit',
  'other',
] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

export interface Metrics {
  registry: Registry;
  slackRequests: Counter<'kind'>;
  ackLatency: Histogram<'kind'>;
  httpRequests: Counter<'route' | 'status'>;
  /** Requests refused by admission control and answered "busy", by payload kind. */
  shedRequests: Counter<'kind'>;
  /** Request and background work holding an admission slot, and requests waiting for one. */
  admission: Gauge<'state'>;
}

/** One registry per process (and per test), so metrics never leak between app instances. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    slackRequests: new Counter({
      name: 'taskpilot_slack_requests_total',
      help: 'Requests from Slack by payload kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: 'taskpilot_slack_ack_seconds',
      help: 'Time from a Slack request reaching the app to its acknowledgement, by payload kind',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'taskpilot_http_requests_total',
      help: 'Requests to the operational routes by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    shedRequests: new Counter({
      name: 'taskpilot_requests_shed_total',
      help: 'Requests refused by admission control (over TASKPILOT_MAX_IN_FLIGHT) and answered busy, by payload kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    admission: new Gauge({
      name: 'taskpilot_admission_slots',
      help: 'Admission control: work holding a slot (in_flight) and requests waiting for one (waiting)',
      labelNames: ['state'],
      registers: [registry],
    }),
  };
}
