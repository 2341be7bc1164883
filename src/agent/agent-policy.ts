import type { Connection, Model } from 'mongoose';
import type { AgentFormChoices } from '../../views/agent-form';
import type { AgentConfig } from '../config';
import { type WorkspaceSettings, workspaceSettingsModel } from '../db/models/workspace-settings';
import { ErrorCode, TaskPilotError, UserInputError } from '../errors';

export interface AgentActor {
  teamId: string;
  userId: string;
  /** A workspace admin or owner. */
  isAdmin: boolean;
  /** Where the request was made (a channel on the allow-list lets everyone in it run agents). */
  channelId: string | null;
}

export type AgentSettings = WorkspaceSettings['agents'];

const NO_SETTINGS: AgentSettings = { allowedUsers: [], allowedChannels: [], network: false };

const forbidden = (message: string) => new TaskPilotError(ErrorCode.Forbidden, message, message);

/**
 * Who may run agents, with which images and whether with a network: workspace admins and owners
 * always; others when they or the channel are on the workspace's allow-list. Images and network
 * are bounded by the operator's configuration, then by the workspace's own choice.
 */
export class AgentPolicy {
  private readonly settings: Model<WorkspaceSettings>;

  constructor(
    connection: Connection,
    private readonly config: AgentConfig,
  ) {
    this.settings = workspaceSettingsModel(connection);
  }

  get images(): readonly string[] {
    return this.config.images;
  }

  get operatorAllowsNetwork(): boolean {
    return this.config.networkAllowed;
  }

  get defaultImage(): string {
    return this.config.images[0] as string;
  }

  async forTeam(teamId: string): Promise<AgentSettings> {
    const found = await this.settings.findById(teamId).lean();
    return found?.agents ?? NO_SETTINGS;
  }

  /** Whether the operator and the workspace both allow runs with a network. */
  async networkAllowed(teamId: string): Promise<boolean> {
    return this.config.networkAllowed && (await this.forTeam(teamId)).network;
  }

  /** What the Agent run form offers in this workspace. */
  async formChoices(teamId: string, channelId: string | null): Promise<AgentFormChoices> {
    return { images: this.config.images, networkAllowed: await this.networkAllowed(teamId), channelId };
  }

  /** Throws a kind refusal when the actor may not start this run; returns the image to use. */
  async check(actor: AgentActor, request: { image?: string | null; network: boolean }): Promise<string> {
    const settings = await this.forTeam(actor.teamId);
    const allowed =
      actor.isAdmin ||
      settings.allowedUsers.includes(actor.userId) ||
      (actor.channelId !== null && settings.allowedChannels.includes(actor.channelId));
    if (!allowed) {
      throw forbidden(
        'Agent runs are limited to workspace admins and the people and channels they allow. Ask an admin to run `/task agents allow @you`.',
      );
    }
    const image = request.image ?? this.defaultImage;
    if (!this.config.images.includes(image)) {
      throw new UserInputError(
        `The image \`${image}\` is not on this TaskPilot's list. Allowed: ${this.config.images.map((name) => `\`${name}\``).join(', ')}.`,
      );
    }
    if (request.network && !(this.config.networkAllowed && settings.network)) {
      throw new UserInputError(
        this.config.networkAllowed
          ? 'Runs with a network are off in this workspace. An admin can turn them on with `/task agents network on`.'
          : 'This TaskPilot runs agents without a network (AGENT_NETWORK is off).',
      );
    }
    return image;
  }

  /** `/task agents allow|deny @user|#channel`, `/task agents network on|off`: admins only. */
  async change(
    actor: AgentActor,
    change: { kind: 'allow' | 'deny'; users: string[]; channels: string[] } | { kind: 'network'; on: boolean },
  ): Promise<AgentSettings> {
    if (!actor.isAdmin) throw forbidden('Only workspace admins can change who may run agents.');
    if (change.kind === 'network') {
      if (change.on && !this.config.networkAllowed) {
        throw new UserInputError('This TaskPilot runs agents without a network (AGENT_NETWORK is off).');
      }
      return this.update(actor.teamId, { $set: { 'agents.network': change.on } });
    }
    const operator = change.kind === 'allow' ? '$addToSet' : '$pull';
    const each = change.kind === 'allow' ? (ids: string[]) => ({ $each: ids }) : (ids: string[]) => ({ $in: ids });
    const fields: Record<string, unknown> = {};
    if (change.users.length > 0) fields['agents.allowedUsers'] = each(change.users);
    if (change.channels.length > 0) fields['agents.allowedChannels'] = each(change.channels);
    if (Object.keys(fields).length === 0)
      throw new UserInputError('Name people or channels, e.g. `/task agents allow @ana #ci`.');
    return this.update(actor.teamId, { [operator]: fields });
  }

  private async update(teamId: string, update: Record<string, unknown>): Promise<AgentSettings> {
    // Created first, then changed: an upsert that also sets defaults would touch `agents` twice.
    await this.settings
      .updateOne(
        { _id: teamId },
        { $setOnInsert: { agents: NO_SETTINGS } },
        { upsert: true, setDefaultsOnInsert: false },
      )
      .catch((error: { code?: number }) => {
        if (error.code !== 11000) throw error;
      });
    const updated = await this.settings.findOneAndUpdate({ _id: teamId }, update, { returnDocument: 'after' }).lean();
    return updated?.agents ?? NO_SETTINGS;
  }
}
