import type { WebClient } from '@slack/web-api';
import { IANAZone } from 'luxon';
import type { Logger } from '../logger';

export interface UserProfile {
  tz: string;
  isAdmin: boolean;
}

/**
 * Each requester's time zone and admin flag from users.info, cached: every /task needs the zone,
 * and Slack rate-limits users.info. Entries expire so a changed zone is picked up within the TTL.
 */
export class UserProfiles {
  private readonly cache = new Map<string, { profile: UserProfile; expires: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(client: WebClient, teamId: string, userId: string): Promise<UserProfile> {
    const key = `${teamId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached && cached.expires > Date.now()) return cached.profile;
    let profile: UserProfile;
    try {
      const { user } = await client.users.info({ user: userId });
      const tz = user?.tz && IANAZone.isValidZone(user.tz) ? user.tz : 'UTC';
      profile = { tz, isAdmin: Boolean(user?.is_admin || user?.is_owner) };
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'users.info failed; using UTC');
      return { tz: 'UTC', isAdmin: false };
    }
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { profile, expires: Date.now() + this.ttlMs });
    return profile;
  }
}
