import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../views/help';
import { buildAssigned, buildChannelTask, buildCreatorNotice } from '../../views/notices';
import type { Logger } from '../logger';
import type { SlackPoster } from '../slack/poster';
import type { UserProfiles } from '../slack/user-profiles';
import type { WorkspaceClients } from '../slack/workspace-clients';
import { toSummary } from '../tasks/task-commands';
import type { TaskChangeEvent, TaskWatcher } from '../tasks/task-service';
import type { BackgroundWork } from '../util/background';

export interface TaskNotifierOptions {
  clients: WorkspaceClients;
  poster: SlackPoster;
  profiles: UserProfiles;
  background: BackgroundWork;
  logger: Logger;
  now: () => Date;
}

type Notice = { to: { userId: string } | { channel: string }; build: (tz: string) => SlackMessage };

/**
 * Tells people about changes others made: an assignee when a task is given to them, a channel
 * when a task is made for it, and the creator when someone else completes or deletes their task.
 * Nobody is told about their own change. Sent in the background: the change is already made.
 */
export class TaskNotifier implements TaskWatcher {
  constructor(private readonly options: TaskNotifierOptions) {}

  async taskChanged(event: TaskChangeEvent): Promise<void> {
    const notices = this.noticesFor(event);
    if (notices.length === 0) return;
    this.options.background.run('task notifications', () => this.send(event.task.teamId, notices));
  }

  /** Who hears about a change, and what. */
  noticesFor({ kind, task, before, actor }: TaskChangeEvent): Notice[] {
    const summary = toSummary(task);
    const notices: Notice[] = [];
    if (kind === 'created' || kind === 'edited') {
      const had = new Set(before?.assignees ?? []);
      for (const userId of task.assignees) {
        if (had.has(userId) || userId === actor.userId) continue;
        notices.push({ to: { userId }, build: (tz) => buildAssigned(summary, { byId: actor.userId, tz }) });
      }
    }
    // A task made for a channel is announced there, unless it was made in that channel already.
    const channel = task.channelId;
    if (kind === 'created' && channel && task.source.channelId !== channel) {
      // A channel has no zone of its own: its notice is in the creator's, which the task keeps.
      notices.push({ to: { channel }, build: () => buildChannelTask(summary, { tz: task.tz }) });
    }
    const closed = (kind === 'done' && task.status === 'done') || kind === 'deleted' || kind === 'stopped';
    if (closed && actor.userId !== task.creatorId) {
      const change = kind as 'done' | 'deleted' | 'stopped';
      const at = this.options.now();
      notices.push({
        to: { userId: task.creatorId },
        build: (tz) => buildCreatorNotice(summary, change, { actorId: actor.userId, tz, at }),
      });
    }
    return notices;
  }

  private async send(teamId: string, notices: Notice[]): Promise<void> {
    const { clients, poster, logger } = this.options;
    const client = await clients.forTeam(teamId);
    for (const notice of notices) {
      try {
        const { channel, tz } = await this.destination(client, teamId, notice);
        if (!channel) continue;
        const message = notice.build(tz);
        await poster.call(client, teamId, 'chat.postMessage', { channel, ...message }, { channel });
      } catch (error) {
        logger.warn({ err: error, teamId, to: notice.to }, 'task notification not sent');
      }
    }
  }

  /** A person's DM and zone; a channel as it is. */
  private async destination(
    client: WebClient,
    teamId: string,
    notice: Notice,
  ): Promise<{ channel: string | null; tz: string }> {
    if ('channel' in notice.to) return { channel: notice.to.channel, tz: 'UTC' };
    const { userId } = notice.to;
    const [channel, profile] = await Promise.all([
      this.options.poster.openDm(client, teamId, userId),
      this.options.profiles.get(client, teamId, userId),
    ]);
    return { channel, tz: profile.tz };
  }
}
