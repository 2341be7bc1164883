import type { WebClient } from '@slack/web-api';
import { buildHome } from '../../views/home';
import type { Logger } from '../logger';
import type { UserProfiles } from '../slack/user-profiles';
import type { WorkspaceClients } from '../slack/workspace-clients';
import { toSummary } from '../tasks/task-commands';
import type { TaskChangeEvent, TaskService, TaskWatcher } from '../tasks/task-service';
import type { UsageService } from '../usage/usage-service';
import type { Admission } from '../util/admission';
import type { BackgroundWork } from '../util/background';

export interface HomeTabOptions {
  tasks: TaskService;
  profiles: UserProfiles;
  clients: WorkspaceClients;
  usage: UsageService;
  monthlyBudgetUsd: number;
  background: BackgroundWork;
  /** Refreshes take its low-priority slots, so they wait while requests keep the database busy. */
  admission?: Admission;
  logger: Logger;
  now: () => Date;
}

/** Tasks one person's home tab can page through; beyond this `/task list` takes over. */
const HOME_TASK_LIMIT = 200;
/** People whose home tab one change refreshes: the actor, the creator and the assignees. */
const MAX_REFRESHED = 6;

interface PendingRefresh {
  /** Another change came while this refresh was publishing: publish once more after it. */
  again: boolean;
  /** The client of the request that asked, when it had one (app_home_opened). */
  client: WebClient | undefined;
}

/**
 * Publishes each person's home tab (views.publish), on app_home_opened and again after every
 * change to a task they are part of. Refreshes are coalesced per person: at most one runs and
 * one more is pending, however many changes ask, so an older snapshot never overwrites a newer
 * one and a burst of changes costs two publishes. They run in background slots of admission
 * control, so they yield to requests.
 */
export class HomeTab implements TaskWatcher {
  private readonly pending = new Map<string, PendingRefresh>();

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

  /** People with a refresh running or waiting for a slot. */
  get refreshesPending(): number {
    return this.pending.size;
  }

  /**
   * Refreshes in the background; asked again while one waits, it merges into that one, and asked
   * while one publishes, it runs once more after it.
   */
  refresh(teamId: string, userId: string, client?: WebClient): void {
    const key = `${teamId}:${userId}`;
    const pending = this.pending.get(key);
    if (pending) {
      pending.again = true;
      pending.client ??= client;
      return;
    }
    const state: PendingRefresh = { again: false, client };
    this.pending.set(key, state);
    const { admission } = this.options;
    this.options.background.run('home tab refresh', async () => {
      try {
        do {
          const release = admission ? await admission.background() : undefined;
          // Whatever asked before this point is covered by the snapshot about to be read.
          state.again = false;
          try {
            await this.publish(teamId, userId, 0, state.client);
          } finally {
            release?.();
          }
        } while (state.again);
      } finally {
        this.pending.delete(key);
      }
    });
  }

  async taskChanged({ task, actor }: TaskChangeEvent): Promise<void> {
    const people = [...new Set([actor.userId, task.creatorId, ...task.assignees])].slice(0, MAX_REFRESHED);
    for (const userId of people) this.refresh(task.teamId, userId);
  }
}
