import { type Connection, type Model, Schema } from 'mongoose';

export const DEAD_LETTER_STATES = ['open', 'retried', 'dropped'] as const;
export type DeadLetterState = (typeof DEAD_LETTER_STATES)[number];

/** A job that failed its last retry: kept for an operator to retry or drop (`taskpilot dlq`). */
export interface DeadLetter {
  jobName: string;
  jobData: Record<string, unknown>;
  teamId: string | null;
  error: string;
  failCount: number;
  state: DeadLetterState;
  /** Set once the workspace's admins were told, so they are told once. */
  adminsNotifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const DeadLetterSchema = new Schema<DeadLetter>(
  {
    jobName: { type: String, required: true },
    jobData: { type: Schema.Types.Mixed, default: {} },
    teamId: { type: String, default: null },
    error: { type: String, required: true },
    failCount: { type: Number, required: true },
    state: { type: String, enum: DEAD_LETTER_STATES, default: 'open' },
    adminsNotifiedAt: { type: Date, default: null },
  },
  { collection: 'deadLetters', timestamps: true, strict: 'throw', minimize: false },
);
DeadLetterSchema.index({ state: 1, createdAt: -1 });

export function deadLetterModel(connection: Connection): Model<DeadLetter> {
  return (
    (connection.models.DeadLetter as Model<DeadLetter> | undefined) ??
    connection.model<DeadLetter>('DeadLetter', DeadLetterSchema)
  );
}
