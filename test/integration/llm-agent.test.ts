import OpenAI from 'openai';
import { type LlmAgentLimits, runLlmAgent } from '../../src/agent/llm-agent';
import { DEFAULT_SANDBOX_IMAGE } from '../../src/config';
import { createDocker, pingDocker } from '../../src/sandbox/docker';
import { openSandboxSession, type SandboxSession } from '../../src/sandbox/session';
import { costOf } from '../../src/usage/usage-service';
import { completion, ScriptedOpenAI, type SentBody } from '../helpers/scripted-openai';

const MODEL = 'gpt-4o-mini';
const TEST_LABEL = 'io.taskpilot.test=llm-agent';
const docker = createDocker(process.env.DOCKER_HOST);
const image = process.env.SANDBOX_IMAGE ?? DEFAULT_SANDBOX_IMAGE;
const limits: LlmAgentLimits = { maxSteps: 10, maxTokens: 100_000, maxCostUsd: 1 };
const mask = (text: string) => text.replace(/xoxb-[\w-]+/g, '[masked]');

const toolMessages = (body: SentBody | undefined) => body?.messages.filter((message) => message.role === 'tool') ?? [];

describe('LLM agent loop in a live sandbox (real Docker, scripted OpenAI over local HTTP)', () => {
  let session: SandboxSession;
  let client: OpenAI;
  const openai = new ScriptedOpenAI();
  const scriptModel = (replies: ReturnType<typeof completion>[]) => openai.script(replies);
  const run = (instructions: string, overrides: Partial<LlmAgentLimits> = {}) =>
    runLlmAgent({ client, model: MODEL, session, mask }, { instructions, limits: { ...limits, ...overrides } });

  beforeAll(async () => {
    await pingDocker(docker, 5000);
    client = new OpenAI({ apiKey: 'sk-test', baseURL: await openai.start(), maxRetries: 0 });
    session = await openSandboxSession(docker, {
      image,
      limits: { memoryMb: 64, cpus: 0.5, pidsLimit: 64, timeoutSeconds: 60 },
      labels: { 'io.taskpilot.test': 'llm-agent' },
    });
  });

  afterEach(() => {
    const pending = openai.pending;
    openai.reset();
    expect(pending).toBe(0);
  });

  afterAll(async () => {
    await openai.stop();
    await session.close();
    expect(await docker.listContainers({ all: true, filters: { label: [TEST_LABEL] } })).toEqual([]);
  });

  it('runs the model’s tools in the sandbox, masks their output and finishes', async () => {
    const script = 'echo "ran in $(pwd) as $(id -u)"\necho "token xoxb-123-456-abcdef"\necho warn >&2\nexit 4\n';
    const bodies = scriptModel([
      completion(
        {
          calls: [
            { name: 'write_file', args: { path: 'script.sh', content: script } },
            { name: 'run_command', args: { command: 'sh script.sh' } },
          ],
        },
        { prompt: 120, completion: 40 },
      ),
      completion(
        { calls: [{ name: 'finish', args: { summary: 'Ran script.sh; it exited 4.' } }] },
        { prompt: 300, completion: 25 },
      ),
    ]);

    const result = await run('Write script.sh and run it.');

    expect(result).toMatchObject({
      outcome: 'finished',
      summary: 'Ran script.sh; it exited 4.',
      steps: 2,
      promptTokens: 420,
      completionTokens: 65,
    });
    expect(result.costUsd).toBeCloseTo(costOf(MODEL, 420, 65), 12);

    // The first request offers the tools and carries the instructions.
    const [first, second] = bodies;
    expect(first?.tool_choice).toBe('auto');
    expect(first?.tools.map((tool) => tool.function.name).sort()).toEqual([
      'finish',
      'list_files',
      'read_file',
      'run_command',
      'write_file',
    ]);
    expect(first?.tools.every((tool) => tool.type === 'function' && tool.function.parameters.type === 'object')).toBe(
      true,
    );
    expect(first?.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(first?.messages[0]?.content).toContain('/workspace');

    // The second request carries the assistant's tool calls and one result per call, answered
    // by id, with the real output of the command in the container, masked.
    const assistant = second?.messages.find((message) => message.role === 'assistant');
    const results = toolMessages(second);
    expect(results.map((message) => message.tool_call_id)).toEqual(assistant?.tool_calls?.map((call) => call.id));
    expect(results[0]?.content).toBe(`Wrote ${script.length} bytes to script.sh`);
    const output = results[1]?.content ?? '';
    expect(output).toContain('exit code: 4');
    expect(output).toContain('ran in /workspace as 65534');
    expect(output).toContain('token [masked]');
    expect(output).toContain('warn');
    // (The model's own write_file arguments carry the token back; what the tools return does not.)
    expect(JSON.stringify(results)).not.toContain('xoxb-123');

    // The file really is in the session's container.
    expect((await session.exec(['cat', 'script.sh'])).stdout).toBe(script);

    expect(result.transcript.map(({ step, role, tool }) => ({ step, role, tool }))).toEqual([
      { step: 1, role: 'assistant', tool: undefined },
      { step: 1, role: 'tool', tool: 'write_file' },
      { step: 1, role: 'tool', tool: 'run_command' },
      { step: 2, role: 'assistant', tool: undefined },
      { step: 2, role: 'tool', tool: 'finish' },
    ]);
    expect(result.transcript[2]).toMatchObject({ input: { command: 'sh script.sh' } });
    // Inputs are masked in the transcript too (the script text carries the token).
    expect(JSON.stringify(result.transcript)).not.toContain('xoxb-123');
  });

  it('feeds malformed or unknown tool calls back to the model as errors and carries on', async () => {
    const bodies = scriptModel([
      completion({
        calls: [
          { name: 'run_command', args: '{"command": "echo hi"' },
          { name: 'write_file', args: { path: 'x.txt' } },
          { name: 'delete_everything', args: {} },
          { name: 'list_files', args: { path: '.' } },
          { name: 'read_file', args: { path: 'missing.txt' } },
        ],
      }),
      completion({ calls: [{ name: 'finish', args: { summary: 'Recovered.' } }] }),
    ]);

    await session.exec(['sh', '-c', 'echo x > listed.txt']);
    const result = await run('Try some tools.');

    expect(result).toMatchObject({ outcome: 'finished', summary: 'Recovered.', steps: 2 });
    const [badJson, badArgs, unknown, listed, missing] = toolMessages(bodies[1]).map((message) => message.content);
    expect(badJson).toBe('Error: the arguments for run_command are not valid JSON.');
    expect(badArgs).toMatch(/^Error: invalid arguments for write_file:[\s\S]*content/);
    expect(unknown).toMatch(/^Error: there is no tool named delete_everything/);
    expect(listed).toContain('listed.txt');
    expect(missing).toMatch(/^Error: reading missing.txt failed \(exit code: 1[\s\S]*No such file/);
  });

  it('stops at the step limit', async () => {
    const bodies = scriptModel([
      completion({ calls: [{ name: 'run_command', args: { command: 'echo one' } }] }),
      completion({ calls: [{ name: 'run_command', args: { command: 'echo two' } }] }),
    ]);

    const result = await run('Loop forever.', { maxSteps: 2 });

    expect(result).toMatchObject({
      summary: expect.stringContaining('step limit'),
      outcome: 'step_limit',
      steps: 2,
      promptTokens: 200,
      completionTokens: 40,
    });
    expect(bodies).toHaveLength(2);
    expect(result.transcript.filter((entry) => entry.role === 'tool').map((entry) => entry.output)).toEqual([
      'exit code: 0\nstdout:\none\n',
      'exit code: 0\nstdout:\ntwo\n',
    ]);
  });

  it('stops before the next model call once over the token or cost limit', async () => {
    scriptModel([
      completion({ calls: [{ name: 'run_command', args: { command: 'true' } }] }, { prompt: 900, completion: 200 }),
    ]);
    expect(await run('Work.', { maxTokens: 1000 })).toMatchObject({ outcome: 'token_limit', steps: 1 });

    scriptModel([
      completion({ calls: [{ name: 'run_command', args: { command: 'true' } }] }, { prompt: 900, completion: 200 }),
    ]);
    expect(await run('Work.', { maxCostUsd: costOf(MODEL, 900, 200) / 2 })).toMatchObject({
      outcome: 'cost_limit',
      steps: 1,
    });
  });

  it('takes a plain answer as the summary, and reports a failing model call', async () => {
    scriptModel([completion({ content: 'Nothing to do; token xoxb-9-9 is fine.' })]);
    expect(await run('Anything?')).toMatchObject({
      outcome: 'finished',
      summary: 'Nothing to do; token [masked] is fine.',
      steps: 1,
    });

    openai.fail(500, 'boom');
    const failed = await run('Anything?');
    expect(failed.outcome).toBe('model_error');
    expect(failed.summary).toContain('500');
  });

  it('is cancelled by its signal', async () => {
    const controller = new AbortController();
    scriptModel([completion({ calls: [{ name: 'run_command', args: { command: 'sleep 0.2' } }] })]);
    setTimeout(() => controller.abort(), 50);
    const result = await runLlmAgent(
      { client, model: MODEL, session, mask, signal: controller.signal },
      { instructions: 'Work.', limits },
    );
    expect(result).toMatchObject({ outcome: 'cancelled', steps: 1 });
  });
});
