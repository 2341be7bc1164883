import type { Connection, Model } from 'mongoose';
import { type ProcessedEvent, processedEventModel } from '../db/models/processed-event';

const isDuplicateKey = (error: unknown): boolean => (error as { code?: number } | null)?.code === 11000;

/** Slack retries for up to about an hour; a day's memory covers every retry with room to spare. */
const REMEMBER_MS = 24 * 60 * 60 * 1000;

/**
 * One effect per Slack event: the first delivery inserts the event's id (unique `_id`), copies
 * find it there. Inserting first means two copies arriving together cannot both pass.
 */
export class ProcessedEvents {
  private readonly events: Model<ProcessedEvent>;

  constructor(
    connection: Connection,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.events = processedEventModel(connection);
  }

  async init(): Promise<void> {
    await this.events.init();
  }

  /** True for the first delivery of the event; false for a copy. */
  async claim(teamId: string, eventId: string): Promise<boolean> {
    try {
      await this.events.create({
        _id: `${teamId}:${eventId}`,
        expiresAt: new Date(this.now().getTime() + REMEMBER_MS),
      });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Forgets events past their memory (the database has no TTL index to do it). */
  async sweep(): Promise<number> {
    const { deletedCount } = await this.events.deleteMany({ expiresAt: { $lt: this.now() } });
    return deletedCount;
  }
}
