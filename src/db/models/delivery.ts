import { type Connection, type Model, Schema, type Types } from 'mongoose';

export const DELIVERY_STATES = ['sending', 'sent', 'skipped', 'redirected', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One place a reminder goes: a DM (user), a channel, or a thread; `ts` once it is posted. */
export interface DeliveryTarget {
  key: string;
  channel: string | null;
  userId: string | null;
  threadTs: string | null;
  ts: string | null;
}

/**
 * One firing of something scheduled: a task's occurrence or a user's digest. The unique
 * (key, at) index is the idempotency key: whatever retries, crashes or extra workers happen,
 * only the worker that inserted (or took over an expired lease on) the record posts.
 */
export interface Delivery {
  /**
   * `<key>@<at as ISO>`: a claim that loses the race reads the winner's record by `_id`, the one
   * query every MongoDB-wire server answers from an index (FerretDB's SQLite backend scans for
   * anything else).
   */
  _id: string;
  /** "task:<id>" or "digest:<team>:<user>". */
  key: string;
  /** The fire time this delivery is for. */
  at: Date;
  teamId: string;
  taskId: Types.ObjectId | null;
  state: DeliveryState;
  /** Which worker holds the lease, and until when; an expired lease may be taken over. */
  owner: string;
  leaseUntil: Date;
  attempts: number;
  targets: DeliveryTarget[];
  /** Fired later than its time because no worker was running. */
  late: boolean;
  error: string | null;
  postedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const TargetSchema = new Schema<DeliveryTarget>(
  {
    key: { type: String, required: true },
    channel: { type: String, default: null },
    userId: { type: String, default: null },
    threadTs: { type: String, default: null },
    ts: { type: String, default: null },
  },
  { _id: false },
);

const DeliverySchema = new Schema<Delivery>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    at: { type: Date, required: true },
    teamId: { type: String, required: true },
    taskId: { type: Schema.Types.ObjectId, default: null },
    state: { type: String, enum: DELIVERY_STATES, required: true },
    owner: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    attempts: { type: Number, default: 1 },
    targets: { type: [TargetSchema], default: [] },
    late: { type: Boolean, default: false },
    error: { type: String, default: null },
    postedAt: { type: Date, default: null },
  },
  { collection: 'deliveries', timestamps: true, strict: 'throw' },
);
DeliverySchema.index({ key: 1, at: 1 }, { unique: true });
// Retention sweeps old deliveries by age.
DeliverySchema.index({ createdAt: 1 });

export const deliveryId = (key: string, at: Date): string => `${key}@${at.toISOString()}`;

export function deliveryModel(connection: Connection): Model<Delivery> {
  return (
    (connection.models.Delivery as Model<Delivery> | undefined) ??
    connection.model<Delivery>('Delivery', DeliverySchema)
  );
}
