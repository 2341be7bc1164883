import type { WebAPICallResult } from '@slack/web-api';
import { buildRunDetails, buildRunStatus, logTail, type RunView } from '../../views/agent-run';
import type { AgentRun } from '../db/models/agent-run';
import type { Logger } from '../logger';
import { CHANNEL_PROBLEMS, type SlackPoster, slackErrorCode } from '../slack/poster';
import type { WorkspaceClients } from '../slack/workspace-clients';

type Limits = Pick<RunView, 'memoryMb' | 'timeoutSeconds'>;

/**
 * The Slack side of a run: one status message updated in place, and the details (summary, log
 * tail, the whole log as a file when it is long) in its thread.
 */
export class RunReporter {
  constructor(
    private readonly options: { clients: WorkspaceClients; poster: SlackPoster; logger: Logger; limits: Limits },
  ) {}

  private view(run: AgentRun): RunView {
    return { ...run, ...this.options.limits };
  }

  /**
   * Posts the status message where the run was asked for (in its thread when it came from one);
   * a channel the bot cannot post in falls back to the requester's DM. Returns where it went.
   */
  async postStatus(run: AgentRun, threadTs: string | null): Promise<{ channel: string; ts: string }> {
    const { clients, poster } = this.options;
    const client = await clients.forTeam(run.teamId);
    const message = buildRunStatus(this.view(run));
    const post = (channel: string, thread: string | null) =>
      poster.call<WebAPICallResult & { ts?: string; channel?: string }>(
        client,
        run.teamId,
        'chat.postMessage',
        { channel, ...message, ...(thread ? { thread_ts: thread } : {}), unfurl_links: false },
        { channel },
      );
    try {
      const posted = await post(run.channelId, threadTs);
      return { channel: posted.channel ?? run.channelId, ts: posted.ts as string };
    } catch (error) {
      if (!CHANNEL_PROBLEMS.has(slackErrorCode(error) ?? '')) throw error;
      this.options.logger.info(
        { runId: run._id, channel: run.channelId, error: slackErrorCode(error) },
        'agent run channel cannot take posts; using the DM',
      );
      const dm = await poster.openDm(client, run.teamId, run.requestedBy);
      if (!dm) throw error;
      const posted = await post(dm, null);
      return { channel: posted.channel ?? dm, ts: posted.ts as string };
    }
  }

  async updateStatus(run: AgentRun): Promise<void> {
    if (!run.messageTs) return;
    const client = await this.options.clients.forTeam(run.teamId);
    await this.options.poster.call(client, run.teamId, 'chat.update', {
      channel: run.channelId,
      ts: run.messageTs,
      ...buildRunStatus(this.view(run)),
    });
  }

  /** The thread reply; a log longer than its tail is attached whole. Upload failures only log. */
  async postDetails(run: AgentRun): Promise<void> {
    if (!run.messageTs) return;
    const { clients, poster, logger } = this.options;
    const client = await clients.forTeam(run.teamId);
    await poster.call(
      client,
      run.teamId,
      'chat.postMessage',
      { channel: run.channelId, thread_ts: run.messageTs, ...buildRunDetails(run), unfurl_links: false },
      { channel: run.channelId },
    );
    if (logTail(run.log).complete && !run.truncated) return;
    try {
      await client.files.uploadV2({
        channel_id: run.channelId,
        thread_ts: run.messageTs,
        content: run.log,
        filename: `agent-run-${run._id}.log`,
        title: 'Full log',
      });
    } catch (error) {
      logger.warn({ runId: run._id, err: error }, 'agent run log upload failed; the tail is in the thread');
    }
  }
}
