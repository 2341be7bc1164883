import type { AgentRun, RunStatus } from '../../../src/db/models/agent-run';
import { buildRunDetails, buildRunStatus, logTail, type RunView } from '../../../views/agent-run';
import { ActionIds } from '../../../views/ids';
import { assertMessageWithinLimits } from '../../helpers/block-kit';

const base: RunView = {
  _id: 'run-1',
  requestedBy: 'U1',
  spec: {
    kind: 'command',
    command: 'make test',
    instructions: null,
    repo: 'https://github.com/acme/api',
    image: 'taskpilot/sandbox:test',
    network: false,
    onlyOnChange: false,
  },
  status: 'queued',
  exitCode: null,
  durationMs: null,
  cancelledBy: null,
  steps: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  memoryMb: 256,
  timeoutSeconds: 120,
};

const hasCancel = (blocks: unknown[]) => JSON.stringify(blocks).includes(ActionIds.agentCancel);

describe('agent run status message', () => {
  it.each<[RunStatus, Partial<RunView>, RegExp, boolean]>([
    ['queued', {}, /queued/, true],
    ['running', {}, /running/, true],
    ['succeeded', { exitCode: 0, durationMs: 1234 }, /succeeded/, false],
    ['failed', { exitCode: 2, durationMs: 80 }, /failed \(exit code 2\)/, false],
    ['timed_out', { durationMs: 120_100 }, /timed out after 120 s/, false],
    ['cancelled', { cancelledBy: 'U2' }, /cancelled by <@U2>/, false],
    ['oom', {}, /out of memory \(256 MB\)/, false],
  ])('%s: says so, with Cancel only while it can still stop', (status, extra, headline, cancellable) => {
    const message = buildRunStatus({ ...base, ...extra, status });
    expect(message.text).toMatch(headline);
    expect(hasCancel(message.blocks)).toBe(cancellable);
    assertMessageWithinLimits(message.blocks);
  });

  it('shows what ran, how long it took and, for LLM runs, tokens and cost', () => {
    const message = buildRunStatus({
      ...base,
      spec: { ...base.spec, kind: 'llm', command: null, instructions: 'fix <the> build' },
      status: 'succeeded',
      durationMs: 65_000,
      steps: 3,
      promptTokens: 1000,
      completionTokens: 200,
      costUsd: 0.00027,
    });
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('agent: fix &lt;the&gt; build in https://github.com/acme/api');
    expect(all).toContain('1 min 5 s');
    expect(all).toContain('3 steps, 1200 tokens (1000 in, 200 out), $0.0003');
  });
});

describe('agent run details', () => {
  it('shows the log tail in a code block and says when the whole log is attached', () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${i} <@U1> \`\`\``).join('\n');
    const details = buildRunDetails({ summary: 'Done.', log, truncated: false } as Pick<
      AgentRun,
      'summary' | 'log' | 'truncated'
    >);
    const all = JSON.stringify(details.blocks);
    expect(all).toContain('line 99');
    expect(all).not.toContain('line 69 ');
    expect(all).toContain('&lt;@U1&gt;');
    expect(all).toContain('full log is attached');
    assertMessageWithinLimits(details.blocks);
    expect(logTail('short\n').complete).toBe(true);
  });

  it('says when there was no output', () => {
    expect(JSON.stringify(buildRunDetails({ summary: null, log: '', truncated: false }).blocks)).toContain('No output');
  });
});
