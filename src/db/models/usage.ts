import { type Connection, type Model, Schema } from 'mongoose';

/** Language-model use per workspace per calendar month (UTC). */
export interface Usage {
  teamId: string;
  /** "2026-03" */
  month: string;
  calls: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

const UsageSchema = new Schema<Usage>(
  {
    teamId: { type: String, required: true },
    month: { type: String, required: true },
    calls: { type: Number, default: 0 },
    failures: { type: Number, default: 0 },
    promptTokens: { type: Number, default: 0 },
    completionTokens: { type: Number, default: 0 },
    costUsd: { type: Number, default: 0 },
  },
  { collection: 'usage', timestamps: true, strict: 'throw' },
);
UsageSchema.index({ teamId: 1, month: 1 }, { unique: true });

export function usageModel(connection: Connection): Model<Usage> {
  return (connection.models.Usage as Model<Usage> | undefined) ?? connection.model<Usage>('Usage', UsageSchema);
}
