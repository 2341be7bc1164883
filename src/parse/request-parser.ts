import {
  BrokenCircuitError,
  type CircuitState,
  ConsecutiveBreaker,
  ConstantBackoff,
  circuitBreaker,
  handleAll,
  handleWhen,
  type IPolicy,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { DateTime } from 'luxon';
import OpenAI from 'openai';
import type { Logger } from '../logger';
import type { UsageService } from '../usage/usage-service';
import { parseDeterministic } from './deterministic';
import { assertRequestLength, assertValidZone, parseWithFallbackParser } from './index';
import { askModel } from './openai-parser';
import { preprocess } from './preprocess';
import { resolveUnderstanding } from './resolve';
import type { ParseResult } from './types';

export type ParserMode = 'auto' | 'openai' | 'fallback';

export interface RequestParserOptions {
  mode: ParserMode;
  logger: Logger;
  openai?: { apiKey: string; baseUrl?: string; model: string };
  usage?: UsageService;
  /** The whole OpenAI attempt, retries included; the 8 s cap is a hard ceiling. */
  timeoutMs?: number;
  breaker?: { consecutiveFailures: number; halfOpenAfterMs: number };
}

export interface ParseRequest {
  now: Date;
  tz: string;
  /** For usage and budgets; absent for the CLI. */
  teamId?: string;
}

export type ParsedRequest = ParseResult & { parser: 'openai' | 'fallback'; fallbackReason: string | null };

export const OPENAI_TIMEOUT_CAP_MS = 8000;

/** 5xx and dropped connections are worth one quick retry; 4xx (429 included) are not. */
function retryable(error: Error): boolean {
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof OpenAI.APIUserAbortError) return false;
  if (error instanceof OpenAI.APIConnectionError) return true;
  return error instanceof OpenAI.APIError && typeof error.status === 'number' && error.status >= 500;
}

function reasonOf(error: unknown): string {
  if (error instanceof BrokenCircuitError) return 'circuit open';
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof OpenAI.APIError && error.status) return `http ${error.status}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The parsing pipeline: OpenAI structured output when configured, behind a timeout, one retry
 * and a circuit breaker (cockatiel), with the deterministic parser answering whenever OpenAI is
 * off, failing, slow, rate-limited, open-circuited or over the workspace's budget.
 */
export class RequestParser {
  private readonly client: OpenAI | undefined;
  private readonly policy: IPolicy;
  private readonly breaker;
  private readonly timeoutMs: number;

  constructor(private readonly options: RequestParserOptions) {
    this.timeoutMs = Math.min(options.timeoutMs ?? 2500, OPENAI_TIMEOUT_CAP_MS);
    this.client =
      options.mode !== 'fallback' && options.openai
        ? new OpenAI({
            apiKey: options.openai.apiKey,
            baseURL: options.openai.baseUrl,
            // cockatiel owns retries and time limits.
            maxRetries: 0,
            timeout: OPENAI_TIMEOUT_CAP_MS,
          })
        : undefined;
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.breaker?.halfOpenAfterMs ?? 30_000,
      breaker: new ConsecutiveBreaker(options.breaker?.consecutiveFailures ?? 5),
    });
    this.breaker.onBreak(() => options.logger.warn('openai circuit opened: using the deterministic parser'));
    this.breaker.onReset(() => options.logger.info('openai circuit closed'));
    this.policy = wrap(
      timeout(this.timeoutMs, TimeoutStrategy.Aggressive),
      retry(handleWhen(retryable), { maxAttempts: 1, backoff: new ConstantBackoff(100) }),
      this.breaker,
    );
  }

  /** Whether the breaker is letting calls through (for readiness and tests). */
  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  async parse(text: string, request: ParseRequest): Promise<ParsedRequest> {
    const fallback = (reason: string | null): ParsedRequest => ({
      ...parseWithFallbackParser(text, request),
      parser: 'fallback',
      fallbackReason: reason,
    });
    if (!this.client || !this.options.openai)
      return fallback(this.options.mode === 'fallback' ? null : 'no OpenAI key');
    // Invalid requests (too long, unknown zone) get the fallback's clear refusal, without a call.
    if (text.trim() === '') return fallback(null);
    assertRequestLength(text);
    assertValidZone(request.tz);
    if (request.teamId && (await this.options.usage?.isOverBudget(request.teamId))) return fallback('over budget');

    const { client } = this;
    const { model } = this.options.openai;
    const pre = preprocess(text);
    const local = DateTime.fromJSDate(request.now, { zone: request.tz });
    try {
      const call = await this.policy.execute(({ signal }) =>
        askModel(
          client,
          model,
          pre.text,
          { date: local.toISODate() ?? '', weekday: local.toFormat('cccc'), time: local.toFormat('HH:mm') },
          signal,
        ),
      );
      await this.recordUsage(request, call.promptTokens, call.completionTokens, false);
      const understanding = {
        intent: call.answer.intent,
        title: call.answer.title?.trim() || null,
        when: call.answer.when,
        // Mentions come from Slack's own markup, never from the model.
        assignees: pre.assignees,
        channel: pre.channel,
        taskRef: call.answer.taskRef ?? parseDeterministic(text).taskRef,
      };
      return {
        ...resolveUnderstanding(understanding, request.now, request.tz),
        parser: 'openai',
        fallbackReason: null,
      };
    } catch (error) {
      const reason = reasonOf(error);
      if (!(error instanceof BrokenCircuitError)) await this.recordUsage(request, 0, 0, true);
      this.options.logger.warn({ reason, teamId: request.teamId }, 'openai parse failed; deterministic parser answers');
      return fallback(reason);
    }
  }

  private async recordUsage(request: ParseRequest, promptTokens: number, completionTokens: number, failed: boolean) {
    if (!request.teamId || !this.options.usage || !this.options.openai) return;
    await this.options.usage
      .record({ teamId: request.teamId, model: this.options.openai.model, promptTokens, completionTokens, failed })
      .catch((error) => this.options.logger.warn({ err: error }, 'could not record model usage'));
  }
}
