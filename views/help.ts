import type { KnownBlock } from '@slack/types';

export interface SlackMessage {
  /** Fallback text for notifications and screen readers. */
  text: string;
  blocks: KnownBlock[];
}

const EXAMPLES = [
  '`/task help` — this message',
  '`/task water the plants every Monday at 9am`',
  '`/task remind @ana to send the report tomorrow at noon`',
  '`/task list` · `/task done 42` · `/task snooze 42 1 hour`',
  '`/task stop 42` ends a series · `/task nag 42 every hour` until done · `/task digest on` for a 09:00 summary',
  '`/task run `make lint` in https://github.com/acme/api` · `/task run the tests of https://github.com/acme/api every weekday at 2am in #ci` · `/task run agent: find why the build fails` (admins and who they allow: `/task agents`)',
];

/** The answer to `/task help` (and to an empty `/task`). */
export function buildHelpMessage(command = '/task', notice?: string): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (notice) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: notice } });
  }
  blocks.push(
    { type: 'header', text: { type: 'plain_text', text: 'TaskPilot help', emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Tell me what to do and when, in your own words, and I'll keep track of it and remind you in your time zone. Start with \`${command}\`:`,
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: EXAMPLES.map((line) => `• ${line}`).join('\n') } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'You can also mention me in a channel or send me a direct message.' }],
    },
  );
  return { text: `TaskPilot help: try ${command} water the plants every Monday at 9am`, blocks };
}
