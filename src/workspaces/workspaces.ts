import type { InstallationStore } from '@slack/bolt';
import type { Agenda } from 'agenda';
import type { Connection, Model } from 'mongoose';
import { type Workspace, workspaceModel } from '../db/models/workspace';
import type { Logger } from '../logger';
import { StaleCache } from '../util/stale-cache';

export type RevokeReason = 'app_uninstalled' | 'tokens_revoked';

export interface WorkspacesOptions {
  connection: Connection;
  agenda: Agenda;
  logger: Logger;
  /** OAuth deployments: the installation is marked revoked too, so Bolt stops authorising it. */
  installations?: InstallationStore;
  /** Called with the team whose cached Web API clients must go. */
  forget?: (teamId: string) => void;
  /** Called when a revoked workspace is active again: what revoking cancelled is scheduled anew. */
  resume?: (teamId: string) => Promise<unknown>;
  now?: () => Date;
  /** How long a workspace's revoked mark is fresh; older, it is served while being re-read. */
  cacheMs?: number;
}

/**
 * Whether TaskPilot is still installed in a workspace. `app_uninstalled` and `tokens_revoked`
 * revoke it: its scheduled jobs are cancelled, its installation is marked, and every Web API
 * client for it refuses to post. A request from the workspace afterwards (a reinstall) lifts it.
 */
export class Workspaces {
  private readonly workspaces: Model<Workspace>;
  /**
   * Every request asks (through the reactivating middleware), so the answer is cached and
   * refreshed in the background: a request never waits on the database for it, except the
   * first from a workspace this process has not seen, and that one only briefly.
   */
  private readonly revoked: StaleCache<boolean>;
  private readonly now: () => Date;

  constructor(private readonly options: WorkspacesOptions) {
    this.workspaces = workspaceModel(options.connection);
    this.now = options.now ?? (() => new Date());
    this.revoked = new StaleCache<boolean>({
      name: 'workspace revoked',
      freshMs: options.cacheMs ?? 30_000,
      maxEntries: 10_000,
      firstLoadWaitMs: 2000,
      logger: options.logger,
    });
  }

  async init(): Promise<void> {
    await this.workspaces.init();
  }

  async revoke(teamId: string, reason: RevokeReason): Promise<{ cancelledJobs: number }> {
    const at = this.now();
    await this.workspaces.updateOne(
      { _id: teamId },
      { $set: { revokedAt: at, revokedReason: reason } },
      { upsert: true },
    );
    this.remember(teamId, true);
    this.options.forget?.(teamId);
    await this.options.installations?.deleteInstallation?.({
      teamId,
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    // Every job TaskPilot schedules for a workspace carries its team id.
    const cancelledJobs = await this.options.agenda.cancel({ data: { teamId } });
    this.options.logger.warn({ teamId, reason, cancelledJobs }, 'workspace revoked: its jobs are cancelled');
    return { cancelledJobs };
  }

  /** Slack sent us a request from the workspace: it has TaskPilot again (a reinstall). */
  async reactivate(teamId: string, waitMs?: number): Promise<void> {
    if (!(await this.isRevoked(teamId, waitMs))) return;
    await this.workspaces.updateOne({ _id: teamId }, { $set: { revokedAt: null, revokedReason: null } });
    this.remember(teamId, false);
    // Reminder jobs come back through the reconciler (it repairs every task due soon).
    await this.options.resume?.(teamId);
    this.options.logger.info({ teamId }, 'workspace active again');
  }

  /** Whether the workspace is revoked; a first lookup waits at most `waitMs`, then throws. */
  async isRevoked(teamId: string, waitMs?: number): Promise<boolean> {
    return this.revoked.get(
      teamId,
      async () => {
        const doc = await this.workspaces.findOne({ _id: teamId }, { revokedAt: 1 }).lean();
        return Boolean(doc?.revokedAt);
      },
      waitMs,
    );
  }

  /** Every revoked team, for jobs that scan across workspaces. */
  async revokedTeams(): Promise<Set<string>> {
    const docs = await this.workspaces.find({ revokedAt: { $ne: null } }, { _id: 1 }).lean();
    return new Set(docs.map((doc) => doc._id));
  }

  private remember(teamId: string, value: boolean): void {
    this.revoked.set(teamId, value);
  }
}
