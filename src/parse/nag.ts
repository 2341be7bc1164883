/**
 * "every hour until done", "every 30 minutes until it's finished": nagging, which is not a
 * recurrence (it stops when the task is done, not on a calendar). Taken out of the text before
 * the parsers see it; the rest is an ordinary request.
 */
const NAG =
  /[,;]?\s*\b(?:and\s+)?(?:(?:keep\s+(?:reminding|nagging)|nag)(?:\s+me)?\s+)?every\s+(?:(\d{1,4})\s+)?(minutes?|mins?|hours?|hrs?)\s+until\s+(?:(?:it'?s|it\s+is|i'?m|i\s+am)\s+)?(?:done|finished|complete(?:d)?)\b/i;

export const MIN_NAG_MINUTES = 5;
export const MAX_NAG_MINUTES = 7 * 24 * 60;

export interface NagRequest {
  /** The request without the nag words. */
  text: string;
  minutes: number | null;
}

/** Minutes from "30 minutes", "2 hours", "hour"; null when it is not an interval. */
export function nagMinutes(amount: string | undefined, unit: string): number {
  const count = amount ? Number(amount) : 1;
  const minutes = /^h/i.test(unit) ? count * 60 : count;
  return Math.min(MAX_NAG_MINUTES, Math.max(MIN_NAG_MINUTES, minutes));
}

export function extractNag(text: string): NagRequest {
  const match = NAG.exec(text);
  if (!match?.[2]) return { text, minutes: null };
  const rest = `${text.slice(0, match.index)} ${text.slice(match.index + match[0].length)}`.replace(/\s+/g, ' ').trim();
  return { text: rest, minutes: nagMinutes(match[1], match[2]) };
}

/** `/task nag 42 every 30 minutes` / `… off`: the interval part; null means off. */
export function parseNagSetting(words: string): number | null | undefined {
  if (/^(off|stop|no|none)$/i.test(words.trim())) return null;
  const match = /^(?:every\s+)?(?:(\d{1,4})\s*)?(minutes?|mins?|m|hours?|hrs?|h|hourly)$/i.exec(words.trim());
  if (!match?.[2]) return undefined;
  return nagMinutes(match[1], match[2] === 'hourly' ? 'hour' : match[2]);
}
