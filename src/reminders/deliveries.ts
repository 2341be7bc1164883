import type { Connection, Model, Types } from 'mongoose';
import {
  type Delivery,
  type DeliveryState,
  type DeliveryTarget,
  deliveryId,
  deliveryModel,
} from '../db/models/delivery';

export type Claim =
  | { kind: 'claimed'; delivery: Delivery; takeover: boolean }
  /** Another worker holds a live lease: look again when it ends. */
  | { kind: 'busy'; until: Date }
  /** Already posted, skipped or given up: nothing to do. */
  | { kind: 'finished'; state: DeliveryState };

const isDuplicateKey = (error: unknown): boolean => (error as { code?: number } | null)?.code === 11000;

/**
 * The idempotency key of every reminder and digest: a Delivery per (key, fire time), unique. A
 * worker posts only while it holds the record's lease; a worker that died mid-delivery leaves a
 * lease that runs out, and the next one takes over (and first checks what already went out).
 */
export class Deliveries {
  readonly model: Model<Delivery>;

  constructor(
    connection: Connection,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.model = deliveryModel(connection);
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  async claim(input: {
    key: string;
    at: Date;
    teamId: string;
    taskId: Types.ObjectId | null;
    late: boolean;
  }): Promise<Claim> {
    const now = this.now();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const _id = deliveryId(input.key, input.at);
    try {
      const created = await this.model.create({
        _id,
        ...input,
        state: 'sending',
        owner: this.owner,
        leaseUntil,
        attempts: 1,
        targets: [],
        error: null,
        postedAt: null,
      });
      return { kind: 'claimed', delivery: created.toObject() as Delivery, takeover: false };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // By `_id` first; by (key, at) for a record stored before deliveries were keyed that way.
    const existing =
      (await this.model.findById(_id).lean<Delivery>()) ??
      (await this.model.findOne({ key: input.key, at: input.at }).lean<Delivery>());
    if (!existing) return { kind: 'busy', until: leaseUntil };
    if (existing.state !== 'sending') return { kind: 'finished', state: existing.state };
    if (existing.leaseUntil > now) return { kind: 'busy', until: existing.leaseUntil };
    // Conditional on the lease we saw: of two workers taking over, one wins.
    const taken = await this.model
      .findOneAndUpdate(
        { _id: existing._id, state: 'sending', leaseUntil: existing.leaseUntil },
        { $set: { owner: this.owner, leaseUntil }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      )
      .lean<Delivery>();
    if (!taken) return { kind: 'busy', until: leaseUntil };
    return { kind: 'claimed', delivery: taken, takeover: true };
  }

  /** Keeps the lease while a delivery waits (rate limits). */
  async renew(delivery: Delivery): Promise<void> {
    const leaseUntil = new Date(this.now().getTime() + this.leaseMs);
    await this.model.updateOne({ _id: delivery._id, owner: this.owner, state: 'sending' }, { $set: { leaseUntil } });
  }

  async recordTarget(delivery: Delivery, target: DeliveryTarget): Promise<void> {
    await this.model.updateOne({ _id: delivery._id, owner: this.owner }, { $push: { targets: target } });
  }

  /**
   * Closes the delivery, with where it went, in one write (one write less per reminder matters on
   * a single-writer store). Targets are also recorded one by one when a reminder has several, so
   * a retry after a partial failure skips the ones already done.
   *
   * By `_id` alone, with no `state: 'sending'` condition: FerretDB serves only an exact `_id`
   * filter from an index and scans the collection for anything more. Nothing is lost by it: the
   * caller holds the lease, and a worker finishing after its lease ran out records what it did
   * (a post that happened), which a takeover found by its metadata and recorded the same way.
   */
  async finish(
    delivery: Delivery,
    state: Exclude<DeliveryState, 'sending'>,
    details: { error?: string | null; targets?: DeliveryTarget[] } = {},
  ): Promise<void> {
    const postedAt = state === 'sent' || state === 'redirected' ? this.now() : null;
    await this.model.updateOne(
      { _id: delivery._id },
      {
        $set: {
          state,
          error: details.error ?? null,
          postedAt,
          ...(details.targets ? { targets: details.targets } : {}),
        },
      },
    );
  }

  /** A failed attempt gives its lease back at once, so the retry need not wait for it. */
  async release(delivery: Delivery): Promise<void> {
    await this.model.updateOne(
      { _id: delivery._id, owner: this.owner, state: 'sending' },
      { $set: { leaseUntil: this.now() } },
    );
  }

  /** After the last retry: the occurrence is given up (the dead-letter queue may retry it). */
  async giveUp(key: string, at: Date, error: string): Promise<void> {
    await this.model.updateOne({ key, at, state: 'sending' }, { $set: { state: 'failed', error } });
  }

  /**
   * For a dead-letter retry: the failed record is reopened with an expired lease, so the next
   * claim takes it over and skips the targets it already reached.
   */
  async reopen(key: string, at: Date): Promise<void> {
    await this.model.updateOne({ key, at, state: 'failed' }, { $set: { state: 'sending', leaseUntil: this.now() } });
  }
}
