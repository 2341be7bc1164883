import { createHash, randomUUID } from 'node:crypto';
import type { Agenda } from 'agenda';
import type { Connection, Model } from 'mongoose';
import type { AgentConfig } from '../config';
import { type AgentRun, type AgentSpec, agentRunModel, FINAL_STATUSES } from '../db/models/agent-run';
import type { Task } from '../db/models/task';
import { ErrorCode, TaskPilotError, UserInputError } from '../errors';
import type { Logger } from '../logger';
import type { Masker } from '../sandbox/mask';
import { checkRepoUrl } from '../sandbox/repos';
import type { UsageService } from '../usage/usage-service';
import type { AgentActor, AgentPolicy } from './agent-policy';
import type { AgentRequest } from './agent-request';
import { type ExecutionOutcome, failedOutcome } from './run-executor';
import type { RunReporter } from './run-reporter';

export const AGENT_RUN_JOB = 'agent.run';
/** A run waiting for a free slot tries again this often. */
export const QUEUE_RETRY_MS = 2000;
/** How often a running container's worker beats and looks for a Cancel made on another process. */
const HEARTBEAT_MS = 1000;
/** A running run whose heartbeat is this old lost its worker. */
const ORPHANED_AFTER_MS = 15_000;

export interface AgentRunsOptions {
  connection: Connection;
  agenda: Agenda;
  policy: AgentPolicy;
  reporter: RunReporter;
  usage: UsageService;
  /** Runs a claimed spec to its end (a sandbox, or a stand-in in unit tests). */
  execute: (run: { id: string; teamId: string; spec: AgentSpec }, signal: AbortSignal) => Promise<ExecutionOutcome>;
  config: Pick<AgentConfig, 'concurrency' | 'repos'> & { enabled: boolean; llmAvailable: boolean };
  /** Secrets in a typed command would be stored and shown: such commands are refused. */
  mask: Masker;
  logger: Logger;
  worker: string;
  now?: () => Date;
}

export interface RunHooks {
  /** Keeps the job's lock alive while a long run goes on. */
  touch(): Promise<void>;
}

const forbidden = (message: string) => new TaskPilotError(ErrorCode.Forbidden, message, message);

/**
 * Agent runs from request to report: policy and budget checks, a queued run with its status
 * message, a job that claims a slot within the global and per-workspace limits, the sandbox run,
 * and the result in place and in the thread. Cancel works from any process.
 */
export class AgentRuns {
  private readonly runs: Model<AgentRun>;
  private readonly now: () => Date;
  /** Runs this process is executing, so a Cancel clicked here stops them at once. */
  private readonly active = new Map<string, AbortController>();

  constructor(private readonly options: AgentRunsOptions) {
    this.runs = agentRunModel(options.connection);
    this.now = options.now ?? (() => new Date());
  }

  async init(): Promise<void> {
    await this.runs.init();
  }

  /**
   * Checks who asks and what for, then stores the run as queued, posts its status and starts
   * its job. `postIn` is the channel the result should go to (default: where it was asked).
   */
  async request(
    actor: AgentActor & { threadTs?: string | null },
    request: AgentRequest & { image?: string | null; postIn?: string | null },
  ): Promise<AgentRun> {
    const spec = await this.checkedSpec(actor, request);
    const channelId = request.postIn ?? actor.channelId;
    if (!channelId) throw new UserInputError('Which channel should the result go to?');
    return this.enqueue({
      _id: randomUUID(),
      teamId: actor.teamId,
      requestedBy: actor.userId,
      channelId,
      taskId: null,
      spec,
      threadTs: request.postIn ? null : (actor.threadTs ?? null),
    });
  }

  /** The checks of `request`, for a scheduled run being set up: returns the spec to store. */
  async checkedSpec(actor: AgentActor, request: AgentRequest & { image?: string | null }): Promise<AgentSpec> {
    if (!this.options.config.enabled) throw new UserInputError('Agent runs are switched off on this TaskPilot.');
    const image = await this.options.policy.check(actor, { image: request.image, network: request.network });
    for (const text of [request.command, request.instructions, request.repo]) {
      if (text && this.options.mask(text) !== text) {
        throw new UserInputError(
          'That request contains what looks like a secret (a token, key or password). Runs are stored and posted, so I will not keep secrets in them; remove it and try again.',
        );
      }
    }
    if (request.repo) {
      const checked = checkRepoUrl(request.repo, this.options.config.repos.allowedHosts);
      if (!checked.ok) throw new UserInputError(checked.reason);
    }
    if (request.kind === 'llm') {
      const refusal = await this.llmRefusal(actor.teamId);
      if (refusal) throw refusal;
    }
    return {
      kind: request.kind,
      command: request.command,
      instructions: request.instructions,
      repo: request.repo,
      image,
      network: request.network,
      onlyOnChange: request.onlyOnChange,
    };
  }

  /**
   * One occurrence of a scheduled agent task: its run id is the task and occurrence, so a second
   * firing of the same occurrence finds it and does nothing.
   */
  async startScheduled(task: Task & { _id: unknown }, at: Date): Promise<void> {
    if (!task.agent) return;
    const channelId = task.channelId ?? task.source.channelId;
    try {
      await this.enqueue({
        _id: `${String(task._id)}:${at.toISOString()}`,
        teamId: task.teamId,
        requestedBy: task.creatorId,
        channelId: channelId ?? task.creatorId,
        taskId: String(task._id),
        spec: task.agent,
        threadTs: task.channelId ? null : task.source.threadTs,
      });
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
      // Made by an earlier attempt of this firing; if that attempt died before its job was
      // created, this gives it one (a second job for a run is harmless).
      const runId = `${String(task._id)}:${at.toISOString()}`;
      const existing = await this.runs.findById(runId, { status: 1 }).lean();
      if (existing?.status === 'queued') await this.options.agenda.now(AGENT_RUN_JOB, { runId });
    }
  }

  private async enqueue(input: {
    _id: string;
    teamId: string;
    requestedBy: string;
    channelId: string;
    taskId: string | null;
    spec: AgentSpec;
    threadTs: string | null;
  }): Promise<AgentRun> {
    const { threadTs, ...fields } = input;
    const created = await this.runs.create({ ...fields, status: 'queued', queuedAt: this.now() });
    let run = created.toObject();
    // A run that posts only when its result changes stays quiet until it knows.
    if (!run.spec.onlyOnChange || !run.taskId) {
      try {
        const posted = await this.options.reporter.postStatus(run, threadTs);
        run =
          (await this.runs
            .findByIdAndUpdate(
              run._id,
              { $set: { channelId: posted.channel, messageTs: posted.ts } },
              { returnDocument: 'after' },
            )
            .lean()) ?? run;
      } catch (error) {
        // The run goes ahead; only its report is missing. The log line says why.
        this.options.logger.error({ runId: run._id, err: error }, 'could not post the agent run status');
      }
    }
    await this.options.agenda.now(AGENT_RUN_JOB, { runId: run._id });
    return run;
  }

  /**
   * The job: claim a slot (or wait for one), run, report. Returns when to try again if every
   * slot was taken, else null.
   */
  async execute(runId: string, hooks: RunHooks): Promise<Date | null> {
    const found = await this.runs.findById(runId).lean();
    if (!found || FINAL_STATUSES.includes(found.status)) return null;
    if (found.status === 'running') {
      // A live worker has it (a second job for the run, or one requeued by a shutdown): look
      // again once its heartbeat could have gone stale.
      const beat = (found.heartbeatAt ?? found.startedAt ?? this.now()).getTime();
      if (this.now().getTime() - beat < ORPHANED_AFTER_MS) return new Date(beat + ORPHANED_AFTER_MS + HEARTBEAT_MS);
      // Its worker is gone, and running the command a second time could repeat what it did.
      // Say so instead.
      const ended = await this.finish(
        found,
        failedOutcome('The worker running this stopped before it finished. Start it again if it is still needed.', {
          log: found.log,
          truncated: found.truncated,
        }),
      );
      if (ended) await this.report(ended);
      return null;
    }
    // A scheduled run was checked when it was set up; the policy or budget may have changed since.
    const refusal = await this.refusalNow(found);
    if (refusal) {
      const ended = await this.finish(found, failedOutcome(refusal));
      if (ended) await this.report(ended);
      return null;
    }
    const claimed = await this.claim(found);
    if (claimed === 'busy') return new Date(this.now().getTime() + QUEUE_RETRY_MS);
    if (!claimed) return null;
    await this.options.reporter.updateStatus(claimed).catch((error) => {
      this.options.logger.warn({ runId, err: error }, 'could not mark the agent run as running');
    });

    const controller = new AbortController();
    this.active.set(runId, controller);
    const watch = setInterval(() => {
      void this.heartbeat(runId, controller);
      void hooks.touch().catch(() => undefined);
    }, HEARTBEAT_MS);
    let outcome: ExecutionOutcome;
    try {
      outcome = await this.options.execute(
        { id: runId, teamId: claimed.teamId, spec: claimed.spec },
        controller.signal,
      );
    } catch (error) {
      this.options.logger.error({ runId, err: error }, 'agent run failed to execute');
      outcome = failedOutcome(
        'The sandbox could not run this. The team running TaskPilot can find the details in its logs.',
      );
    } finally {
      clearInterval(watch);
      this.active.delete(runId);
    }
    if (outcome.model) {
      await this.options.usage
        .record({
          teamId: claimed.teamId,
          model: outcome.model,
          promptTokens: outcome.promptTokens,
          completionTokens: outcome.completionTokens,
          failed: outcome.status !== 'succeeded',
        })
        .catch((error) => this.options.logger.error({ runId, err: error }, 'could not record agent run usage'));
    }
    const ended = await this.finish(claimed, outcome);
    await this.startNextQueued().catch((error) =>
      this.options.logger.warn({ err: error }, 'could not start queued agent runs; they retry on their own'),
    );
    if (ended) await this.report(ended);
    return null;
  }

  /** Why a run may no longer start (image, network, model or budget withdrawn since), or null. */
  private async refusalNow(run: AgentRun): Promise<string | null> {
    if (!run.taskId) return null;
    const { policy } = this.options;
    if (!policy.images.includes(run.spec.image)) return `The image \`${run.spec.image}\` is no longer allowed.`;
    if (run.spec.network && !(await policy.networkAllowed(run.teamId))) {
      return 'Runs with a network have been turned off in this workspace.';
    }
    if (run.spec.kind === 'llm') return (await this.llmRefusal(run.teamId))?.userMessage ?? null;
    return null;
  }

  /** Why an LLM run may not start in this workspace now (no model, budget spent), or null. */
  private async llmRefusal(teamId: string): Promise<TaskPilotError | null> {
    if (!this.options.config.llmAvailable) {
      return new UserInputError('LLM agents need an OpenAI key on this TaskPilot; command runs work without one.');
    }
    if (await this.options.usage.isOverBudget(teamId)) {
      return forbidden(
        "This workspace has used this month's OpenAI budget, so LLM agents are paused until next month.",
      );
    }
    return null;
  }

  /**
   * A slot came free: the oldest queued runs get a job now rather than at their next look. A
   * second job for a run is harmless: only one claim of a queued run succeeds.
   */
  private async startNextQueued(): Promise<void> {
    const { global } = this.options.config.concurrency;
    const waiting = await this.runs
      .find({ status: 'queued', cancelRequested: false }, { _id: 1 })
      .sort({ queuedAt: 1 })
      .limit(global)
      .lean();
    for (const run of waiting) await this.options.agenda.now(AGENT_RUN_JOB, { runId: run._id });
  }

  /**
   * Queued → running, within the limits. The claim is written first and then checked against
   * the runs already running, oldest first, so two workers claiming at once agree on who yields.
   */
  private async claim(run: AgentRun): Promise<AgentRun | 'busy' | null> {
    if (run.cancelRequested) {
      await this.finishQueuedCancel(run._id);
      return null;
    }
    const startedAt = this.now();
    const claimed = await this.runs
      .findOneAndUpdate(
        { _id: run._id, status: 'queued', cancelRequested: false },
        { $set: { status: 'running', worker: this.options.worker, startedAt, heartbeatAt: startedAt } },
        { returnDocument: 'after' },
      )
      .lean();
    if (!claimed) return null;
    // Rows whose worker has stopped beating hold no slot (their job will mark them failed).
    const running = await this.runs
      .find(
        { status: 'running', heartbeatAt: { $gte: new Date(startedAt.getTime() - ORPHANED_AFTER_MS) } },
        { _id: 1, teamId: 1, startedAt: 1 },
      )
      .sort({ startedAt: 1, _id: 1 })
      .lean();
    const { global, perWorkspace } = this.options.config.concurrency;
    const rank = running.findIndex((other) => other._id === run._id);
    const teamRank = running.filter((other) => other.teamId === run.teamId).findIndex((other) => other._id === run._id);
    if (rank < global && teamRank < perWorkspace) return claimed;
    await this.runs.updateOne(
      { _id: run._id, status: 'running', worker: this.options.worker },
      { $set: { status: 'queued', worker: null, startedAt: null, heartbeatAt: null } },
    );
    return 'busy';
  }

  private async heartbeat(runId: string, controller: AbortController): Promise<void> {
    const run = await this.runs
      .findOneAndUpdate(
        { _id: runId, status: 'running' },
        { $set: { heartbeatAt: this.now() } },
        // No projection: FerretDB does not implement one on findAndModify.
        { returnDocument: 'after' },
      )
      .lean()
      .catch((error) => {
        // A missed beat is retried a second later; a run goes stale only after many.
        this.options.logger.warn({ runId, err: error }, 'agent run heartbeat failed');
        return null;
      });
    if (run?.cancelRequested) controller.abort();
  }

  /** Stores the outcome once; null when the run had already ended (nothing more to report). */
  private async finish(run: AgentRun, outcome: ExecutionOutcome): Promise<AgentRun | null> {
    const finishedAt = this.now();
    const resultHash = createHash('sha256')
      .update(`${outcome.status}\n${outcome.exitCode}\n${outcome.log}`)
      .digest('hex')
      .slice(0, 32);
    return this.runs
      .findOneAndUpdate(
        { _id: run._id, status: { $nin: FINAL_STATUSES } },
        {
          $set: {
            status: outcome.status,
            exitCode: outcome.exitCode,
            log: outcome.log,
            truncated: outcome.truncated,
            summary: outcome.summary,
            steps: outcome.steps,
            promptTokens: outcome.promptTokens,
            completionTokens: outcome.completionTokens,
            costUsd: outcome.costUsd,
            transcript: outcome.transcript,
            resultHash,
            finishedAt,
            durationMs: run.startedAt ? finishedAt.getTime() - run.startedAt.getTime() : null,
          },
        },
        { returnDocument: 'after' },
      )
      .lean();
  }

  /** The final status in place and the details in the thread (a quiet run speaks only on change). */
  private async report(run: AgentRun): Promise<void> {
    const { reporter, logger } = this.options;
    try {
      if (!run.messageTs) {
        if (!(await this.changedSinceLastRun(run))) {
          logger.info({ runId: run._id, taskId: run.taskId }, 'agent run result unchanged; not posted');
          return;
        }
        const posted = await reporter.postStatus(run, null);
        run.channelId = posted.channel;
        run.messageTs = posted.ts;
        await this.runs.updateOne({ _id: run._id }, { $set: { channelId: posted.channel, messageTs: posted.ts } });
      } else {
        await reporter.updateStatus(run);
      }
      await reporter.postDetails(run);
    } catch (error) {
      logger.error({ runId: run._id, err: error }, 'could not report the agent run result');
    }
  }

  private async changedSinceLastRun(run: AgentRun): Promise<boolean> {
    if (!run.taskId) return true;
    const previous = await this.runs
      .findOne({ taskId: run.taskId, _id: { $ne: run._id }, finishedAt: { $ne: null } }, { resultHash: 1 })
      .sort({ finishedAt: -1 })
      .lean();
    return previous?.resultHash !== run.resultHash;
  }

  /**
   * Cancel: the requester or an admin. A queued run ends at once; a running one is stopped by
   * the worker running it (at once in this process, within a second elsewhere).
   */
  async cancel(actor: { teamId: string; userId: string; isAdmin: boolean }, runId: string): Promise<AgentRun> {
    const run = await this.runs.findOne({ _id: runId, teamId: actor.teamId }).lean();
    if (!run) throw new TaskPilotError(ErrorCode.NotFound, 'That run no longer exists.', 'That run no longer exists.');
    if (!actor.isAdmin && run.requestedBy !== actor.userId) {
      throw forbidden(`Only <@${run.requestedBy}> or a workspace admin can cancel this run.`);
    }
    if (FINAL_STATUSES.includes(run.status)) return run;
    await this.runs.updateOne(
      { _id: runId, status: { $nin: FINAL_STATUSES } },
      { $set: { cancelRequested: true, cancelledBy: actor.userId } },
    );
    this.active.get(runId)?.abort();
    const ended = await this.finishQueuedCancel(runId);
    return ended ?? (await this.runs.findById(runId).lean()) ?? run;
  }

  private async finishQueuedCancel(runId: string): Promise<AgentRun | null> {
    const ended = await this.runs
      .findOneAndUpdate(
        { _id: runId, status: 'queued' },
        { $set: { status: 'cancelled', finishedAt: this.now() } },
        { returnDocument: 'after' },
      )
      .lean();
    if (ended) await this.options.reporter.updateStatus(ended).catch(() => undefined);
    return ended;
  }

  async get(runId: string): Promise<AgentRun | null> {
    return this.runs.findById(runId).lean();
  }
}
