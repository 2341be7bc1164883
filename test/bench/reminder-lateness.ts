// How late reminders reached Slack: each reminder goes to a channel (a DM) of its own, so the
// posts Slack received in that channel are that reminder's. Shared by `npm run bench:reminders`
// and `npm run bench`.
import { quantile } from './quantile';

export interface LatenessReport {
  reminders: number;
  p50: number;
  p99: number;
  max: number;
  /** Not posted at all. */
  lost: number;
  /** Posts beyond the first in a reminder's channel. */
  duplicated: number;
  /** The worst lateness in each sixth of the spread: whether lateness builds up or comes in a spike. */
  worstBySixth: number[];
}

/** `due`: each reminder's channel and due time (epoch ms); `posts`: what Slack received, when. */
export function latenessOf(
  due: ReadonlyMap<string, number>,
  posts: readonly { channel: string; at: number }[],
  spread: { start: number; ms: number },
): LatenessReport {
  const perChannel = new Map<string, number[]>();
  for (const post of posts) perChannel.set(post.channel, [...(perChannel.get(post.channel) ?? []), post.at]);
  const lateness: number[] = [];
  const worstBySixth = Array.from({ length: 6 }, () => 0);
  let lost = 0;
  let duplicated = 0;
  for (const [channel, at] of due) {
    const times = perChannel.get(channel);
    if (!times) {
      lost += 1;
      continue;
    }
    duplicated += times.length - 1;
    const late = Math.min(...times) - at;
    lateness.push(late);
    const sixth = Math.min(5, Math.floor(((at - spread.start) * 6) / Math.max(1, spread.ms)));
    worstBySixth[sixth] = Math.max(worstBySixth[sixth] ?? 0, late);
  }
  lateness.sort((a, b) => a - b);
  return {
    reminders: due.size,
    p50: quantile(lateness, 0.5),
    p99: quantile(lateness, 0.99),
    max: quantile(lateness, 1),
    lost,
    duplicated,
    worstBySixth,
  };
}
