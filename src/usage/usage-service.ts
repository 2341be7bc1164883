import type { Connection, Model } from 'mongoose';
import { type Usage, usageModel } from '../db/models/usage';

/** USD per million tokens (input, output). Unknown models are priced as the dearest listed. */
export const PRICES_PER_MILLION: Record<string, { input: number; output: number }> = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
};
const FALLBACK_PRICE = { input: 2.5, output: 10 };

export function costOf(model: string, promptTokens: number, completionTokens: number): number {
  const known = Object.entries(PRICES_PER_MILLION)
    .sort(([a], [b]) => b.length - a.length)
    .find(([name]) => model === name || model.startsWith(`${name}-`));
  const price = known?.[1] ?? FALLBACK_PRICE;
  return (promptTokens * price.input + completionTokens * price.output) / 1_000_000;
}

export interface UsageRecord {
  teamId: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  failed: boolean;
}

const monthOf = (date: Date) => date.toISOString().slice(0, 7);

/** Records every model call, successful or not, and answers budget questions. */
export class UsageService {
  private readonly usage: Model<Usage>;

  constructor(
    connection: Connection,
    private readonly monthlyBudgetUsd: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.usage = usageModel(connection);
  }

  async record(entry: UsageRecord): Promise<void> {
    const costUsd = costOf(entry.model, entry.promptTokens, entry.completionTokens);
    const filter = { teamId: entry.teamId, month: monthOf(this.now()) };
    const update = {
      $inc: {
        calls: 1,
        failures: entry.failed ? 1 : 0,
        promptTokens: entry.promptTokens,
        completionTokens: entry.completionTokens,
        costUsd,
      },
    };
    try {
      await this.usage.updateOne(filter, update, { upsert: true });
    } catch (error) {
      // Two first calls of a month can race on the unique (team, month) upsert; the loser retries.
      if ((error as { code?: number }).code !== 11000) throw error;
      await this.usage.updateOne(filter, update, { upsert: true });
    }
  }

  async month(teamId: string): Promise<Usage | null> {
    return this.usage.findOne({ teamId, month: monthOf(this.now()) }).lean();
  }

  async isOverBudget(teamId: string): Promise<boolean> {
    const current = await this.month(teamId);
    return (current?.costUsd ?? 0) >= this.monthlyBudgetUsd;
  }
}
