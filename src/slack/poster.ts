import type { WebAPICallResult, WebClient } from '@slack/web-api';
import type { Logger } from '../logger';

/**
 * Web API calls from jobs with Slack's limits respected: posts to one channel are spaced (Slack
 * allows about one message per second per channel, with short bursts), and a 429 pauses every
 * call to that workspace for its Retry-After before trying again. Nothing is dropped; the caller
 * hears about the wait (to keep its job lock alive) and gives up only after `maxWaitMs`.
 */
export interface PosterOptions {
  logger: Logger;
  /** Messages a channel may take at once before spacing starts. */
  channelBurst?: number;
  channelIntervalMs?: number;
  maxWaitMs?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function isRateLimited(error: unknown): error is { code: string; retryAfter: number } {
  return (error as { code?: string } | null)?.code === 'slack_webapi_rate_limited_error';
}

/** Slack answers meaning "that channel cannot take the post": someone else is told instead. */
export const CHANNEL_PROBLEMS = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived']);

/** The Slack error code of a platform error (`channel_not_found`…), if it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { code?: string; data?: { error?: string } } | null) ?? {};
  return data.code === 'slack_webapi_platform_error' ? data.data?.error : undefined;
}

export class SlackPoster {
  private readonly pausedUntil = new Map<string, number>();
  private readonly dmChannels = new Map<string, string>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly intervalMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  rateLimitedCount = 0;

  constructor(private readonly options: PosterOptions) {
    this.burst = options.channelBurst ?? 3;
    this.intervalMs = options.channelIntervalMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** How long until `channel` may take another message (and takes the slot). */
  private reserveChannel(channel: string): number {
    const now = this.now();
    const bucket = this.buckets.get(channel) ?? { tokens: this.burst, refilledAt: now };
    const refill = Math.floor((now - bucket.refilledAt) / this.intervalMs);
    if (refill > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + refill);
      bucket.refilledAt += refill * this.intervalMs;
    }
    bucket.tokens -= 1;
    this.buckets.set(channel, bucket);
    if (this.buckets.size > 50_000) this.buckets.clear();
    return bucket.tokens >= 0 ? 0 : -bucket.tokens * this.intervalMs - (now - bucket.refilledAt);
  }

  /**
   * Calls `method` for workspace `teamId`. `channel` (when posting) is paced; `onWait` runs before
   * each wait so a job can renew its lock.
   */
  async call<T extends WebAPICallResult>(
    client: WebClient,
    teamId: string,
    method: string,
    args: Record<string, unknown>,
    options: { channel?: string; onWait?: (ms: number) => Promise<void> } = {},
  ): Promise<T> {
    const started = this.now();
    if (options.channel) {
      const wait = this.reserveChannel(options.channel);
      if (wait > 0) {
        await options.onWait?.(wait);
        await sleep(wait);
      }
    }
    for (;;) {
      const paused = (this.pausedUntil.get(teamId) ?? 0) - this.now();
      if (paused > 0) {
        await options.onWait?.(paused);
        await sleep(paused);
      }
      try {
        return (await client.apiCall(method, args)) as T;
      } catch (error) {
        if (!isRateLimited(error)) throw error;
        this.rateLimitedCount += 1;
        const waitMs = Math.max(1, error.retryAfter) * 1000;
        this.pausedUntil.set(teamId, Math.max(this.pausedUntil.get(teamId) ?? 0, this.now() + waitMs));
        this.options.logger.warn({ teamId, method, retryAfterSeconds: error.retryAfter }, 'slack rate limit: waiting');
        if (this.now() + waitMs - started > this.maxWaitMs) throw error;
      }
    }
  }

  /** A person's DM channel with the bot; it never changes, so it is asked for once per process. */
  async openDm(
    client: WebClient,
    teamId: string,
    userId: string,
    onWait?: (ms: number) => Promise<void>,
  ): Promise<string | null> {
    const key = `${teamId}:${userId}`;
    const known = this.dmChannels.get(key);
    if (known) return known;
    const opened = await this.call<WebAPICallResult & { channel?: { id?: string } }>(
      client,
      teamId,
      'conversations.open',
      { users: userId },
      { onWait },
    );
    const channel = opened.channel?.id ?? null;
    if (channel) {
      if (this.dmChannels.size >= 50_000) this.dmChannels.clear();
      this.dmChannels.set(key, channel);
    }
    return channel;
  }
}
