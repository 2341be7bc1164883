import type { KnownBlock } from '@slack/types';
import type { AgentRun, RunStatus } from '../src/db/models/agent-run';
import { ActionIds } from './ids';
import { escapeText } from './task';

/** What the status message needs of a run: the stored run, or a part of it. */
export type RunView = Pick<
  AgentRun,
  | '_id'
  | 'requestedBy'
  | 'spec'
  | 'status'
  | 'exitCode'
  | 'durationMs'
  | 'cancelledBy'
  | 'steps'
  | 'promptTokens'
  | 'completionTokens'
  | 'costUsd'
> & { memoryMb: number; timeoutSeconds: number };

const HEADLINES: Record<RunStatus, (run: RunView) => string> = {
  queued: () => ':hourglass_flowing_sand: Agent run queued',
  running: () => ':gear: Agent run running…',
  succeeded: () => ':white_check_mark: Agent run succeeded',
  failed: (run) => `:x: Agent run failed${run.exitCode === null ? '' : ` (exit code ${run.exitCode})`}`,
  timed_out: (run) => `:alarm_clock: Agent run timed out after ${run.timeoutSeconds} s and was stopped`,
  cancelled: (run) => `:no_entry_sign: Agent run cancelled${run.cancelledBy ? ` by <@${run.cancelledBy}>` : ''}`,
  oom: (run) => `:boom: Agent run ran out of memory (${run.memoryMb} MB) and was stopped`,
};

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** One line saying what runs: the command or the instructions, and the repository. */
export function describeRun(spec: RunView['spec']): string {
  const what =
    spec.kind === 'command'
      ? `\`${shorten(spec.command ?? '', 200).replace(/`/g, "'")}\``
      : `agent: ${escapeText(shorten(spec.instructions ?? '', 300))}`;
  return spec.repo ? `${what} in ${escapeText(spec.repo)}` : what;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The status message, updated in place: queued → running → how it ended. */
export function buildRunStatus(run: RunView): { text: string; blocks: KnownBlock[] } {
  const headline = HEADLINES[run.status](run);
  const facts = [`Requested by <@${run.requestedBy}>`, `image \`${run.spec.image}\``];
  if (run.spec.network) facts.push('network on');
  if (run.durationMs !== null) facts.push(formatDuration(run.durationMs));
  if (run.exitCode !== null && run.status !== 'failed') facts.push(`exit code ${run.exitCode}`);
  if (run.spec.kind === 'llm' && (run.promptTokens > 0 || run.completionTokens > 0)) {
    facts.push(
      `${run.steps} steps, ${run.promptTokens + run.completionTokens} tokens (${run.promptTokens} in, ${run.completionTokens} out), $${run.costUsd.toFixed(4)}`,
    );
  }
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${headline}*\n${describeRun(run.spec)}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: facts.join(' · ') }] },
  ];
  if (run.status === 'queued' || run.status === 'running') {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ActionIds.agentCancel,
          text: { type: 'plain_text', text: 'Cancel' },
          style: 'danger',
          value: run._id,
          confirm: {
            title: { type: 'plain_text', text: 'Cancel this run?' },
            text: { type: 'plain_text', text: 'The container is stopped and its output so far is kept.' },
            confirm: { type: 'plain_text', text: 'Cancel the run' },
            deny: { type: 'plain_text', text: 'Keep running' },
          },
        },
      ],
    });
  }
  return { text: headline.replace(/^:[a-z_]+: /, ''), blocks };
}

/** Lines of the log shown in the thread; the whole log goes up as a file when it is longer. */
export const LOG_TAIL_LINES = 30;
export const LOG_TAIL_CHARS = 2500;

export function logTail(log: string): { tail: string; complete: boolean } {
  const lines = log.replace(/\s+$/, '').split('\n');
  let tail = lines.slice(-LOG_TAIL_LINES).join('\n');
  if (tail.length > LOG_TAIL_CHARS) tail = tail.slice(-LOG_TAIL_CHARS);
  return { tail, complete: tail.length === log.replace(/\s+$/, '').length };
}

/** The thread reply: what the run said it did, and the end of its output. */
export function buildRunDetails(input: { summary: string | null; log: string; truncated: boolean }): {
  text: string;
  blocks: KnownBlock[];
} {
  const { tail, complete } = logTail(input.log);
  const blocks: KnownBlock[] = [];
  if (input.summary) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: shorten(escapeText(input.summary), 2900) } });
  }
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      // Backticks would end the code block early; the log is shown as it is otherwise.
      text: tail ? `\`\`\`${escapeText(tail).replace(/```/g, "'''")}\`\`\`` : '_No output._',
    },
  });
  if (!complete || input.truncated) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: input.truncated
            ? 'The output was longer than 1 MB; the first 1 MB is kept and attached.'
            : `The last ${LOG_TAIL_LINES} lines; the full log is attached.`,
        },
      ],
    });
  }
  return { text: input.summary ?? 'Run output', blocks };
}
