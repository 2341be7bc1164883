import { type Connection, type Model, Schema } from 'mongoose';

/**
 * A Slack event already handled, keyed by workspace and event id: Slack delivers an event again
 * (X-Slack-Retry-Num) when it did not see our acknowledgement in time, and the copy must have no
 * effect. FerretDB has no TTL indexes, so a maintenance job removes rows past `expiresAt`.
 */
export interface ProcessedEvent {
  /** `<team>:<event id>`: an `_id` lookup is the one query every database serves fast. */
  _id: string;
  expiresAt: Date;
}

const ProcessedEventSchema = new Schema<ProcessedEvent>(
  { _id: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { collection: 'processed_events', versionKey: false },
);
ProcessedEventSchema.index({ expiresAt: 1 });

export function processedEventModel(connection: Connection): Model<ProcessedEvent> {
  return (
    (connection.models.ProcessedEvent as Model<ProcessedEvent> | undefined) ??
    connection.model<ProcessedEvent>('ProcessedEvent', ProcessedEventSchema)
  );
}
