import type Docker from 'dockerode';
import type OpenAI from 'openai';
import type { Config } from '../config';
import { type AgentSpec, MAX_STORED_LOG_BYTES, type RunStatus } from '../db/models/agent-run';
import { asTaskPilotError, isUserCaused } from '../errors';
import type { Logger } from '../logger';
import type { Masker } from '../sandbox/mask';
import { type ClonedRepo, cloneRepo, type RepoPolicy } from '../sandbox/repos';
import { runInSandbox, type SandboxLimits, type SandboxResult } from '../sandbox/run-container';
import { openSandboxSession } from '../sandbox/session';
import { type LlmAgentResult, runLlmAgent } from './llm-agent';

/** Where a cloned repository is mounted (read-only) before it is copied into /workspace. */
const REPO_MOUNT = '/src';
const COPY_REPO = `cp -R ${REPO_MOUNT}/. /workspace/`;

export interface ExecutionDeps {
  docker: Docker;
  mask: Masker;
  sandbox: Config['sandbox'];
  repos: RepoPolicy;
  llm: Config['agents']['llm'];
  openai: { client: OpenAI; model: string } | undefined;
  logger: Logger;
}

/** How a run ended, masked and capped, ready to store and post. */
export interface ExecutionOutcome {
  status: Exclude<RunStatus, 'queued' | 'running'>;
  exitCode: number | null;
  log: string;
  truncated: boolean;
  summary: string | null;
  steps: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  transcript: unknown[];
  model: string | null;
}

const EMPTY_USAGE = { steps: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, transcript: [], model: null };

export function limitsFrom(sandbox: Config['sandbox']): SandboxLimits {
  return {
    memoryMb: sandbox.memoryMb,
    cpus: sandbox.cpus,
    pidsLimit: sandbox.pidsLimit,
    timeoutSeconds: sandbox.timeoutSeconds,
    workspaceMb: sandbox.workspaceMb,
    outputCapBytes: MAX_STORED_LOG_BYTES,
  };
}

/** stdout, then stderr under a marker, kept within the stored log's cap. */
export function combineLog(stdout: string, stderr: string): { log: string; truncated: boolean } {
  const log = stderr ? `${stdout}${stdout && !stdout.endsWith('\n') ? '\n' : ''}--- stderr ---\n${stderr}` : stdout;
  const bytes = Buffer.from(log, 'utf8');
  if (bytes.length <= MAX_STORED_LOG_BYTES) return { log, truncated: false };
  return { log: bytes.subarray(0, MAX_STORED_LOG_BYTES).toString('utf8'), truncated: true };
}

function statusOf(result: Pick<SandboxResult, 'cancelled' | 'timedOut' | 'oomKilled' | 'exitCode'>) {
  if (result.cancelled) return 'cancelled' as const;
  if (result.timedOut) return 'timed_out' as const;
  if (result.oomKilled) return 'oom' as const;
  return result.exitCode === 0 ? ('succeeded' as const) : ('failed' as const);
}

/**
 * Runs one agent spec in a fresh hardened container: clones its repository on the host first
 * (allow-listed hosts only), then a command, or an LLM tool loop whose tools exec into the same
 * container. Everything it returns is masked. A refusal the person can fix (a repository that is
 * not allowed or cannot be cloned) ends the run as failed with that message as its summary.
 */
export async function executeRun(
  deps: ExecutionDeps,
  run: { id: string; teamId: string; spec: AgentSpec },
  signal: AbortSignal,
): Promise<ExecutionOutcome> {
  let repo: ClonedRepo | undefined;
  try {
    if (run.spec.repo) {
      try {
        repo = await cloneRepo(run.spec.repo, deps.repos, signal);
      } catch (error) {
        if (signal.aborted)
          return failedOutcome('Cancelled while the repository was being cloned.', { status: 'cancelled' });
        if (!isUserCaused(error)) throw error;
        deps.logger.warn({ runId: run.id, err: error }, 'repository clone refused or failed');
        return failedOutcome(deps.mask(asTaskPilotError(error).userMessage));
      }
    }
    const shared = {
      image: run.spec.image,
      limits: limitsFrom(deps.sandbox),
      network: run.spec.network ? ('bridge' as const) : ('none' as const),
      labels: { 'io.taskpilot.run': run.id, 'io.taskpilot.team': run.teamId },
      signal,
      readOnlyMounts: repo ? { [repo.dir]: REPO_MOUNT } : undefined,
    };
    let result: SandboxResult;
    try {
      if (run.spec.kind === 'llm') return await executeLlm(deps, run, shared, Boolean(repo));
      const command = run.spec.command ?? 'true';
      result = await runInSandbox(deps.docker, {
        ...shared,
        command: repo ? ['sh', '-c', `${COPY_REPO} && exec sh -c "$1"`, 'sh', command] : ['sh', '-c', command],
      });
    } catch (error) {
      // A Cancel while the container was being set up: what the person asked for happened.
      if (signal.aborted) return failedOutcome('Cancelled before the run started.', { status: 'cancelled' });
      throw error;
    }
    const { log, truncated } = combineLog(deps.mask(result.stdout), deps.mask(result.stderr));
    return {
      ...EMPTY_USAGE,
      status: statusOf(result),
      exitCode: result.exitCode,
      log,
      truncated: truncated || result.truncated,
      summary: null,
    };
  } finally {
    await repo?.cleanup();
  }
}

/** A run that ended without a result of its own: `summary` says why; output so far may be kept. */
export function failedOutcome(
  summary: string,
  kept: { status?: ExecutionOutcome['status']; log?: string; truncated?: boolean } = {},
): ExecutionOutcome {
  return {
    ...EMPTY_USAGE,
    status: kept.status ?? 'failed',
    exitCode: null,
    log: kept.log ?? '',
    truncated: kept.truncated ?? false,
    summary,
  };
}

const LLM_ENDINGS: Record<LlmAgentResult['outcome'], { status: ExecutionOutcome['status']; note: string | null }> = {
  finished: { status: 'succeeded', note: null },
  step_limit: { status: 'failed', note: 'Stopped: the run reached its step limit.' },
  token_limit: { status: 'failed', note: 'Stopped: the run reached its token limit.' },
  cost_limit: { status: 'failed', note: 'Stopped: the run reached its cost limit.' },
  cancelled: { status: 'cancelled', note: null },
  model_error: { status: 'failed', note: 'Stopped: the model could not be reached or gave an unusable answer.' },
  sandbox_error: { status: 'failed', note: 'Stopped: the sandbox container stopped answering.' },
};

async function executeLlm(
  deps: ExecutionDeps,
  run: { id: string; spec: AgentSpec },
  shared: Parameters<typeof openSandboxSession>[1],
  withRepo: boolean,
): Promise<ExecutionOutcome> {
  if (!deps.openai) return failedOutcome('LLM agents need OPENAI_API_KEY on this TaskPilot.');
  const session = await openSandboxSession(deps.docker, shared);
  // The session container's own lifetime is the wall clock; this stops the loop at the same time.
  const timeout = AbortSignal.timeout(deps.sandbox.timeoutSeconds * 1000);
  const signal = AbortSignal.any([shared.signal ?? new AbortController().signal, timeout]);
  try {
    if (withRepo) {
      const copied = await session.exec(['sh', '-c', COPY_REPO]);
      if (copied.exitCode !== 0) {
        return failedOutcome(
          `The repository did not fit in the sandbox's /workspace (${deps.sandbox.workspaceMb} MB): ${deps.mask(copied.stderr.trim()).slice(0, 300)}`,
        );
      }
    }
    const result = await runLlmAgent(
      { client: deps.openai.client, model: deps.openai.model, session, mask: deps.mask, signal },
      { instructions: run.spec.instructions ?? '', limits: deps.llm },
    );
    const state = await session.state();
    const ending = LLM_ENDINGS[result.outcome];
    const status =
      result.outcome !== 'finished' && timeout.aborted && !shared.signal?.aborted
        ? 'timed_out'
        : state.oomKilled
          ? 'oom'
          : ending.status;
    const { log, truncated } = combineLog(renderTranscript(result), '');
    return {
      status,
      exitCode: null,
      log,
      truncated,
      summary: [ending.note, deps.mask(result.summary)].filter(Boolean).join('\n') || null,
      steps: result.steps,
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      costUsd: result.costUsd,
      transcript: capTranscript(result.transcript),
      model: deps.openai.model,
    };
  } finally {
    await session.close();
  }
}

/** What one transcript entry keeps of a tool's output; the log holds up to 1 MB of all of it. */
const TRANSCRIPT_OUTPUT_CHARS = 4000;
const TRANSCRIPT_ENTRIES = 200;

/** The stored transcript stays far below MongoDB's 16 MB document limit, whatever the model asks. */
function capTranscript(transcript: LlmAgentResult['transcript']): LlmAgentResult['transcript'] {
  return transcript.slice(-TRANSCRIPT_ENTRIES).map((entry) => ({
    ...entry,
    ...(entry.output && entry.output.length > TRANSCRIPT_OUTPUT_CHARS
      ? { output: `${entry.output.slice(0, TRANSCRIPT_OUTPUT_CHARS)}… (${entry.output.length} characters)` }
      : {}),
    ...(typeof entry.content === 'string' && entry.content.length > TRANSCRIPT_OUTPUT_CHARS
      ? { content: `${entry.content.slice(0, TRANSCRIPT_OUTPUT_CHARS)}…` }
      : {}),
  }));
}

/** The transcript as the run's log: what the model did and what each tool answered (masked already). */
function renderTranscript(result: LlmAgentResult): string {
  return result.transcript
    .map((entry) =>
      entry.role === 'tool'
        ? `[${entry.step}] ${entry.tool} ${JSON.stringify(entry.input ?? {})}\n${entry.output ?? ''}`
        : `[${entry.step}] ${entry.content ?? ''}`,
    )
    .join('\n');
}
