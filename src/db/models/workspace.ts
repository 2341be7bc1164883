import { type Connection, type Model, Schema } from 'mongoose';

/**
 * Per-workspace state that is not an installation: whether TaskPilot was removed from it. Kept
 * for single-token deployments too, which have no installation record to mark.
 */
export interface Workspace {
  /** The team id. */
  _id: string;
  revokedAt: Date | null;
  /** `app_uninstalled` or `tokens_revoked`. */
  revokedReason: string | null;
}

const WorkspaceSchema = new Schema<Workspace>(
  {
    _id: { type: String, required: true },
    revokedAt: { type: Date, default: null },
    revokedReason: { type: String, default: null },
  },
  { collection: 'workspaces', versionKey: false, timestamps: true },
);
WorkspaceSchema.index({ revokedAt: 1 });

export function workspaceModel(connection: Connection): Model<Workspace> {
  return (
    (connection.models.Workspace as Model<Workspace> | undefined) ??
    connection.model<Workspace>('Workspace', WorkspaceSchema)
  );
}
