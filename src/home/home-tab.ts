import type { WebClient } from '@slack/web-api';
import { buildHome } from '../../views/home';
import type { Logger } from '../logger';
import type { UserProfiles } from '../slack/user-profiles';
import type { WorkspaceClients } from '../slack/workspace-clients';
import { toSummary } from '../tasks/task-commands';
import type { TaskChangeEvent, TaskService, TaskWatcher } from '../tasks/task-service';
import type { UsageService } from '../usage/usage-service';
import type { BackgroundWork } from '../util/background';

export interface HomeTabOptions {
  tasks: TaskService;
  profiles: UserProfiles;
  clients: WorkspaceClients;
  usage: UsageService;
  monthlyBudgetUsd: number;
  background: BackgroundWork;
  logger: Logger;
  now: () => Date;
}

/** Tasks one person's home tab can page through; beyond this `/task list` takes over. */
const HOME_TASK_LIMIT = 200;
/** People whose home tab one change refreshes: the actor, the creator and the assignees. */
const MAX_REFRESHED = 6;

/**
 * Publishes each person's home tab (views.publish), on app_home_opened and again after every
 * change to a task they are part of. Refreshes for one person are serialised, so an older
 * snapshot never overwrites a newer one.
 */
export class HomeTab implements TaskWatcher {
  private readonly inFlight = new Map<string, { again: boolean }>();

  constructor(private readonly options: HomeTabOptions) {}

  /** Builds and publishes `userId`'s home tab at `page` of their tasks. */
  async publish(teamId: string, userId: string, page = 0, client?: WebClient): Promise<void> {
    const { tasks, profiles, usage, clients } = this.options;
    const web = client ?? (await clients.forTeam(teamId));
    const profile = await profiles.get(web, teamId, userId);
    const [mine, assigned, month] = await Promise.all([
      tasks.list({ teamId, scope: 'mine', userId, limit: HOME_TASK_LIMIT }),
      tasks.list({ teamId, scope: 'assigned_by_me', userId, includeDone: true, limit: 50 }),
      profile.isAdmin ? usage.month(teamId) : Promise.resolve(null),
    ]);
    const now = this.options.now();
    const view = buildHome({
      userId,
      tz: profile.tz,
      now,
      mine: mine.map(toSummary),
      assigned: assigned.map(toSummary),
      page,
      usage: profile.isAdmin
        ? {
            month: now.toISOString().slice(0, 7),
            calls: month?.calls ?? 0,
            costUsd: month?.costUsd ?? 0,
            budgetUsd: this.options.monthlyBudgetUsd,
          }
        : null,
    });
    await web.views.publish({ user_id: userId, view });
  }

  /** Refreshes in the background; a refresh asked for while one runs runs once more after it. */
  refresh(teamId: string, userId: string): void {
    const key = `${teamId}:${userId}`;
    const running = this.inFlight.get(key);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.inFlight.set(key, state);
    this.options.background.run('home tab refresh', async () => {
      try {
        do {
          state.again = false;
          await this.publish(teamId, userId);
        } while (state.again);
      } finally {
        this.inFlight.delete(key);
      }
    });
  }

  async taskChanged({ task, actor }: TaskChangeEvent): Promise<void> {
    const people = [...new Set([actor.userId, task.creatorId, ...task.assignees])].slice(0, MAX_REFRESHED);
    for (const userId of people) this.refresh(task.teamId, userId);
  }
}
