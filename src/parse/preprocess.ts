/**
 * Slack escapes mentions and links in message text. Before any parsing we note who and where the
 * request names and keep a readable text: `<@U1|ana>` → `@ana`-free text with the id recorded,
 * `<#C1|general>` → the channel id, `<https://x|label>` → `label (https://x)`.
 */
export interface Preprocessed {
  /** The text with addressing mentions removed and links made readable. */
  text: string;
  /** User ids the request is addressed to ("remind <@U1> to…", "<@U1> and <@U2> review…"). */
  assignees: string[];
  channel: string | null;
}

const USER = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
const LINK = /<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>/g;
const SPECIAL = /<!(here|channel|everyone)(?:\|[^>]*)?>/g;

/** A run of mentions joined by "and", "&" or commas at the start, e.g. "<@U1>, <@U2> and <@U3>". */
const LEADING_USERS = /^\s*((?:<@[UW][A-Z0-9]+(?:\|[^>]*)?>\s*(?:,|and|&)?\s*)+)/i;
const LEADING_CHANNEL = /^\s*<#(C[A-Z0-9]+)(?:\|[^>]*)?>\s*/i;
const REMIND_PREFIX = /^\s*remind\s+/i;

function idsIn(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((match) => match[1] ?? '').filter(Boolean);
}

export function preprocess(raw: string): Preprocessed {
  let text = raw
    .normalize('NFKC')
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const assignees: string[] = [];
  let channel: string | null = null;

  // Addressing happens at the start: "remind <@U1> to …", "<@U1> review …", "remind <#C1> to …".
  const remind = REMIND_PREFIX.exec(text);
  const rest = remind ? text.slice(remind[0].length) : text;
  const users = LEADING_USERS.exec(rest);
  const chan = LEADING_CHANNEL.exec(rest);
  if (users?.[1]) {
    assignees.push(...idsIn(users[1], USER));
    text = (remind ? 'remind ' : '') + rest.slice(users[0].length);
    text = text.replace(/^remind\s+(to|about)\s+/i, 'remind me to ').replace(/^(to|about)\s+/i, '');
  } else if (chan?.[1]) {
    channel = chan[1];
    text = (remind ? 'remind ' : '') + rest.slice(chan[0].length);
    text = text.replace(/^remind\s+(to|about)\s+/i, 'remind me to ').replace(/^(to|about)\s+/i, '');
  }

  // A channel named elsewhere ("… in <#C1|general>") is where the task lives.
  if (!channel) {
    const inChannel = /\b(?:in|to|on)\s+<#(C[A-Z0-9]+)(?:\|[^>]*)?>/i.exec(text);
    if (inChannel?.[1]) {
      channel = inChannel[1];
      text = text.replace(inChannel[0], ' ');
    }
  }

  text = text
    .replace(LINK, (_, url: string, label?: string) => (label ? `${label} (${url})` : url))
    .replace(SPECIAL, (_, name: string) => `@${name}`)
    .replace(/\s+/g, ' ')
    .trim();
  // Mentions left inside the text are part of the task ("ping <@U1> about X"); kept verbatim.
  return { text, assignees: [...new Set(assignees)], channel };
}
