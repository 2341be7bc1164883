import { type Connection, type Model, Schema } from 'mongoose';

export const AGENT_KINDS = ['command', 'llm'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** What to run: stored on a scheduled task and copied onto each of its runs. */
export interface AgentSpec {
  kind: AgentKind;
  /** The shell command (`command` runs). */
  command: string | null;
  /** What the model is asked to do (`llm` runs). */
  instructions: string | null;
  /** An https repository cloned into /workspace first. */
  repo: string | null;
  image: string;
  network: boolean;
  /** Recurring runs: post only when the result differs from the previous run's. */
  onlyOnChange: boolean;
}

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'oom'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'timed_out', 'cancelled', 'oom'];

export const MAX_STORED_LOG_BYTES = 1024 * 1024;
export const MAX_COMMAND_LENGTH = 2000;
export const MAX_INSTRUCTIONS_LENGTH = 4000;

export interface AgentRun {
  /** Random for one-off runs; `<task id>:<occurrence ISO>` for scheduled ones, so an occurrence runs once. */
  _id: string;
  teamId: string;
  requestedBy: string;
  /** Where the status message lives (a channel or the requester's DM). */
  channelId: string;
  /** The status message, updated in place; its thread holds the details. */
  messageTs: string | null;
  taskId: string | null;
  spec: AgentSpec;
  status: RunStatus;
  /** Set by Cancel; the worker running the container stops it. */
  cancelRequested: boolean;
  cancelledBy: string | null;
  worker: string | null;
  /** Renewed every second by the worker running it: a stale one means that worker is gone. */
  heartbeatAt: Date | null;
  exitCode: number | null;
  /** Masked stdout and stderr, up to MAX_STORED_LOG_BYTES. */
  log: string;
  truncated: boolean;
  /** What the run said it did (LLM finish) or why it failed; masked. */
  summary: string | null;
  /** A hash of the result (status, exit code, log), to tell whether a recurring run changed. */
  resultHash: string | null;
  steps: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  transcript: unknown[];
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
}

const SpecSchema = new Schema<AgentSpec>(
  {
    kind: { type: String, enum: AGENT_KINDS, required: true },
    command: { type: String, default: null, maxlength: MAX_COMMAND_LENGTH },
    instructions: { type: String, default: null, maxlength: MAX_INSTRUCTIONS_LENGTH },
    repo: { type: String, default: null },
    image: { type: String, required: true },
    network: { type: Boolean, default: false },
    onlyOnChange: { type: Boolean, default: false },
  },
  { _id: false },
);

export { SpecSchema as AgentSpecSchema };

const AgentRunSchema = new Schema<AgentRun>(
  {
    _id: { type: String, required: true },
    teamId: { type: String, required: true },
    requestedBy: { type: String, required: true },
    channelId: { type: String, required: true },
    messageTs: { type: String, default: null },
    taskId: { type: String, default: null },
    spec: { type: SpecSchema, required: true },
    status: { type: String, enum: RUN_STATUSES, default: 'queued' },
    cancelRequested: { type: Boolean, default: false },
    cancelledBy: { type: String, default: null },
    worker: { type: String, default: null },
    heartbeatAt: { type: Date, default: null },
    exitCode: { type: Number, default: null },
    log: { type: String, default: '' },
    truncated: { type: Boolean, default: false },
    summary: { type: String, default: null },
    resultHash: { type: String, default: null },
    steps: { type: Number, default: 0 },
    promptTokens: { type: Number, default: 0 },
    completionTokens: { type: Number, default: 0 },
    costUsd: { type: Number, default: 0 },
    transcript: { type: [Schema.Types.Mixed], default: [] },
    queuedAt: { type: Date, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    durationMs: { type: Number, default: null },
  },
  { collection: 'agent_runs', versionKey: false, strict: 'throw', minimize: false },
);
// Concurrency checks (running per workspace and overall) and the home tab's recent runs.
AgentRunSchema.index({ status: 1, teamId: 1, startedAt: 1 });
AgentRunSchema.index({ status: 1, queuedAt: 1 });
AgentRunSchema.index({ teamId: 1, requestedBy: 1, queuedAt: -1 });
// "Only when changed": the previous finished run of the same task.
AgentRunSchema.index({ taskId: 1, finishedAt: -1 });

export function agentRunModel(connection: Connection): Model<AgentRun> {
  return (
    (connection.models.AgentRun as Model<AgentRun> | undefined) ??
    connection.model<AgentRun>('AgentRun', AgentRunSchema)
  );
}
