import type { InstallationStore } from '@slack/bolt';
import type { Agenda } from 'agenda';
import type { Connection, Model } from 'mongoose';
import { type Workspace, workspaceModel } from '../db/models/workspace';
import type { Logger } from '../logger';

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
  cacheMs?: number;
}

/**
 * Whether TaskPilot is still installed in a workspace. `app_uninstalled` and `tokens_revoked`
 * revoke it: its scheduled jobs are cancelled, its installation is marked, and every Web API
 * client for it refuses to post. A request from the workspace afterwards (a reinstall) lifts it.
 */
export class Workspaces {
  private readonly workspaces: Model<Workspace>;
  private readonly revoked = new Map<string, { value: boolean; expires: number }>();
  private readonly now: () => Date;

  constructor(private readonly options: WorkspacesOptions) {
    this.workspaces = workspaceModel(options.connection);
    this.now = options.now ?? (() => new Date());
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
  async reactivate(teamId: string): Promise<void> {
    if (!(await this.isRevoked(teamId))) return;
    await this.workspaces.updateOne({ _id: teamId }, { $set: { revokedAt: null, revokedReason: null } });
    this.remember(teamId, false);
    // Reminder jobs come back through the reconciler (it repairs every task due soon).
    await this.options.resume?.(teamId);
    this.options.logger.info({ teamId }, 'workspace active again');
  }

  async isRevoked(teamId: string): Promise<boolean> {
    const cached = this.revoked.get(teamId);
    if (cached && cached.expires > Date.now()) return cached.value;
    const doc = await this.workspaces.findOne({ _id: teamId }, { revokedAt: 1 }).lean();
    const value = Boolean(doc?.revokedAt);
    this.remember(teamId, value);
    return value;
  }

  /** Every revoked team, for jobs that scan across workspaces. */
  async revokedTeams(): Promise<Set<string>> {
    const docs = await this.workspaces.find({ revokedAt: { $ne: null } }, { _id: 1 }).lean();
    return new Set(docs.map((doc) => doc._id));
  }

  private remember(teamId: string, value: boolean): void {
    if (this.revoked.size > 10_000) this.revoked.clear();
    this.revoked.set(teamId, { value, expires: Date.now() + (this.options.cacheMs ?? 30_000) });
  }
}
