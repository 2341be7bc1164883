import { type Connection, type Model, Schema } from 'mongoose';

/** One Slack installation (a workspace, or an org for enterprise installs). */
export interface InstallationDoc {
  /** `T…` for a workspace install, `E…` for an org-wide install. */
  key: string;
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
  /** The whole installation object from @slack/oauth, encrypted: it holds the tokens. */
  sealed: string;
  revokedAt?: Date;
  installedAt: Date;
  updatedAt: Date;
}

const InstallationSchema = new Schema<InstallationDoc>(
  {
    key: { type: String, required: true, unique: true },
    teamId: String,
    enterpriseId: String,
    isEnterpriseInstall: { type: Boolean, default: false },
    sealed: { type: String, required: true },
    revokedAt: Date,
    installedAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: false, updatedAt: true }, collection: 'installations' },
);

export function installationModel(connection: Connection): Model<InstallationDoc> {
  return (
    (connection.models.Installation as Model<InstallationDoc> | undefined) ??
    connection.model<InstallationDoc>('Installation', InstallationSchema)
  );
}
