import type { InstallationStore } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { ErrorCode, TaskPilotError } from '../errors';

/** The workspace no longer has TaskPilot (uninstalled or tokens revoked): post nothing there. */
export class WorkspaceInactiveError extends TaskPilotError {
  constructor(teamId: string, cause?: unknown) {
    super(ErrorCode.SlackApi, `workspace ${teamId} has no active installation`, undefined, { cause });
    this.name = 'WorkspaceInactiveError';
  }
}

export interface WorkspaceClientsOptions {
  apiUrl: string | undefined;
  /** One workspace: its bot token. Many: the installation store. */
  botToken?: string;
  installations?: InstallationStore;
  /** Whether the workspace removed TaskPilot (app_uninstalled, tokens_revoked). */
  isRevoked?: (teamId: string) => Promise<boolean>;
  ttlMs?: number;
}

/**
 * Web API clients for jobs, which run outside any Slack request and so have no Bolt `client`.
 * Rate limits are not retried inside the client: the poster decides how to wait (it shares the
 * wait across a workspace and keeps the job's lock alive meanwhile).
 */
export class WorkspaceClients {
  private readonly cache = new Map<string, { client: WebClient; expires: number }>();

  constructor(private readonly options: WorkspaceClientsOptions) {}

  private build(token: string): WebClient {
    return new WebClient(token, {
      slackApiUrl: this.options.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      timeout: 15_000,
    });
  }

  async forTeam(teamId: string): Promise<WebClient> {
    // Asked every time (it is cached where it is kept): a single bot token outlives an uninstall.
    if (await this.options.isRevoked?.(teamId)) throw new WorkspaceInactiveError(teamId);
    const cached = this.cache.get(teamId);
    if (cached && cached.expires > Date.now()) return cached.client;
    let token = this.options.botToken;
    if (!token && this.options.installations) {
      try {
        const installation = await this.options.installations.fetchInstallation({
          teamId,
          enterpriseId: undefined,
          isEnterpriseInstall: false,
        });
        token = installation.bot?.token;
      } catch (error) {
        // Only a missing (or revoked) installation means the workspace is gone; a database
        // error is passed on so the job retries.
        if (error instanceof Error && error.message.startsWith('no active installation')) {
          throw new WorkspaceInactiveError(teamId, error);
        }
        throw error;
      }
    }
    if (!token) throw new WorkspaceInactiveError(teamId);
    const client = this.build(token);
    this.cache.set(teamId, { client, expires: Date.now() + (this.options.ttlMs ?? 5 * 60_000) });
    return client;
  }

  /** After an uninstall: forget the cached client at once. */
  forget(teamId: string): void {
    this.cache.delete(teamId);
  }
}
