import type { WebClient } from '@slack/web-api';
import { IANAZone } from 'luxon';
import type { Logger } from '../logger';
import { StaleCache } from '../util/stale-cache';

export interface UserProfile {
  tz: string;
  isAdmin: boolean;
}

const FALLBACK: UserProfile = { tz: 'UTC', isAdmin: false };

/**
 * Each requester's time zone and admin flag from users.info, cached: every /task needs the zone,
 * and Slack rate-limits users.info. An entry older than the TTL is still served while one
 * users.info call refreshes it, so a changed zone is picked up soon after the TTL and a request
 * never waits for Slack once the person is known. A first lookup waits at most `firstWaitMs`.
 */
export class UserProfiles {
  private readonly cache: StaleCache<UserProfile>;

  constructor(
    private readonly logger: Logger,
    ttlMs = 60 * 60 * 1000,
    maxEntries = 10_000,
    // Most callers answer after the ack and can wait for Slack (its client retries a 429 after
    // Retry-After): a zone guessed as UTC would store the wrong wall-clock times. Listeners that
    // answer before their ack pass a tighter bound.
    private readonly firstWaitMs = 10_000,
  ) {
    this.cache = new StaleCache<UserProfile>({
      name: 'user profile',
      freshMs: ttlMs,
      maxEntries,
      firstLoadWaitMs: firstWaitMs,
      logger,
    });
  }

  /**
   * The person's profile; UTC and no admin rights when Slack cannot say (not cached, so the next
   * request asks again). `waitMs` bounds a first lookup more tightly where an answer is due soon.
   */
  async get(client: WebClient, teamId: string, userId: string, waitMs = this.firstWaitMs): Promise<UserProfile> {
    try {
      return await this.cache.get(
        `${teamId}:${userId}`,
        async () => {
          const { user } = await client.users.info({ user: userId });
          const tz = user?.tz && IANAZone.isValidZone(user.tz) ? user.tz : 'UTC';
          return { tz, isAdmin: Boolean(user?.is_admin || user?.is_owner) };
        },
        waitMs,
      );
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'users.info failed or was slow; using UTC');
      return FALLBACK;
    }
  }
}
