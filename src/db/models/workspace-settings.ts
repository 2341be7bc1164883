import { type Connection, type Model, Schema } from 'mongoose';

/**
 * A workspace's own agent policy, set by its admins with `/task agents …`. Workspace admins and
 * owners may always run agents; these lists let others in. Images and network stay within what
 * the operator allows (AGENT_IMAGES, AGENT_NETWORK).
 */
export interface WorkspaceSettings {
  /** The team id. */
  _id: string;
  agents: {
    allowedUsers: string[];
    allowedChannels: string[];
    /** Whether runs here may ask for a network; only when the operator allows it too. */
    network: boolean;
  };
}

const WorkspaceSettingsSchema = new Schema<WorkspaceSettings>(
  {
    _id: { type: String, required: true },
    agents: {
      type: new Schema(
        {
          allowedUsers: { type: [String], default: [] },
          allowedChannels: { type: [String], default: [] },
          network: { type: Boolean, default: false },
        },
        { _id: false },
      ),
      default: () => ({}),
    },
  },
  { collection: 'workspace_settings', versionKey: false, timestamps: true, minimize: false },
);

export function workspaceSettingsModel(connection: Connection): Model<WorkspaceSettings> {
  return (
    (connection.models.WorkspaceSettings as Model<WorkspaceSettings> | undefined) ??
    connection.model<WorkspaceSettings>('WorkspaceSettings', WorkspaceSettingsSchema)
  );
}
