import { type Connection, type Model, Schema } from 'mongoose';

/** Per-person preferences; today the morning digest (`/task digest on|off`). */
export interface UserSettings {
  teamId: string;
  userId: string;
  digest: { enabled: boolean; hour: number; tz: string };
  createdAt: Date;
  updatedAt: Date;
}

const UserSettingsSchema = new Schema<UserSettings>(
  {
    teamId: { type: String, required: true },
    userId: { type: String, required: true },
    digest: {
      type: new Schema(
        {
          enabled: { type: Boolean, required: true },
          hour: { type: Number, required: true, min: 0, max: 23 },
          tz: { type: String, required: true },
        },
        { _id: false },
      ),
      required: true,
    },
  },
  { collection: 'userSettings', timestamps: true, strict: 'throw' },
);
UserSettingsSchema.index({ teamId: 1, userId: 1 }, { unique: true });

export function userSettingsModel(connection: Connection): Model<UserSettings> {
  return (
    (connection.models.UserSettings as Model<UserSettings> | undefined) ??
    connection.model<UserSettings>('UserSettings', UserSettingsSchema)
  );
}
