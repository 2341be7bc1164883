import type OpenAI from 'openai';
import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { ExecResult, SandboxSession } from '../sandbox/session';
import { costOf } from '../usage/usage-service';

export interface LlmAgentLimits {
  maxSteps: number;
  maxTokens: number;
  maxCostUsd: number;
  /** Per tool command; 60 s unless set. The session's own lifetime caps it too. */
  commandTimeoutMs?: number;
}

export interface TranscriptEntry {
  step: number;
  role: 'assistant' | 'tool';
  tool?: string;
  input?: unknown;
  output?: string;
  content?: string;
}

export type LlmAgentOutcome =
  | 'finished'
  | 'step_limit'
  | 'token_limit'
  | 'cost_limit'
  | 'cancelled'
  | 'model_error'
  /** The sandbox died under the run (its wall-clock cap, an OOM kill) or Docker failed. */
  | 'sandbox_error';

export interface LlmAgentResult {
  outcome: LlmAgentOutcome;
  summary: string;
  steps: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  transcript: TranscriptEntry[];
}

export interface LlmAgentDeps {
  client: OpenAI;
  model: string;
  session: SandboxSession;
  mask: (text: string) => string;
  signal?: AbortSignal;
}

const OUTPUT_CAP_BYTES = 64 * 1024;
const MAX_WRITE_BYTES = 256 * 1024;
const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

const SYSTEM_PROMPT = [
  'You are an agent working in /workspace inside an isolated Linux sandbox (busybox tools, no network).',
  'Use the tools to read and write files and run commands there; paths are relative to /workspace.',
  'When the task is done, or cannot be done, call finish with a short summary of what you did and found.',
].join(' ');

interface ToolContext {
  session: SandboxSession;
  timeoutMs: number;
}

interface ToolReply {
  output: string;
  /** Set by `finish`: the run ends with this summary. */
  finish?: string;
}

interface AgentTool<Schema extends z.ZodType> {
  description: string;
  schema: Schema;
  run(args: z.infer<Schema>, context: ToolContext): Promise<ToolReply>;
}

/** Keeps each tool's argument type tied to its schema. */
const defineTool = <Schema extends z.ZodType>(tool: AgentTool<Schema>) => tool;

const pathArg = z.string().min(1).describe('A path, absolute or relative to /workspace');

function describeExec(result: ExecResult, timeoutMs: number): string {
  const lines = [result.timedOut ? `timed out after ${timeoutMs} ms and was killed` : `exit code: ${result.exitCode}`];
  if (result.stdout) lines.push('stdout:', result.stdout);
  if (result.stderr) lines.push('stderr:', result.stderr);
  if (result.truncated) lines.push(`(output truncated to ${OUTPUT_CAP_BYTES} bytes per stream)`);
  return lines.join('\n');
}

function failure(action: string, result: ExecResult, timeoutMs: number): ToolReply {
  return { output: `Error: ${action} failed (${describeExec(result, timeoutMs)})` };
}

const TOOLS = {
  run_command: defineTool({
    description: 'Runs a shell command (sh -c) in /workspace and returns its exit code, stdout and stderr.',
    schema: z.object({ command: z.string().min(1).describe('The shell command line') }),
    async run({ command }, { session, timeoutMs }) {
      const result = await session.exec(['sh', '-c', command], { timeoutMs, outputCapBytes: OUTPUT_CAP_BYTES });
      return { output: describeExec(result, timeoutMs) };
    },
  }),
  read_file: defineTool({
    description: `Returns a text file's content (at most ${OUTPUT_CAP_BYTES} bytes).`,
    schema: z.object({ path: pathArg }),
    async run({ path }, { session, timeoutMs }) {
      const result = await session.exec(['cat', '--', path], { timeoutMs, outputCapBytes: OUTPUT_CAP_BYTES });
      if (result.exitCode !== 0) return failure(`reading ${path}`, result, timeoutMs);
      return {
        output: result.truncated ? `${result.stdout}\n(truncated at ${OUTPUT_CAP_BYTES} bytes)` : result.stdout,
      };
    },
  }),
  write_file: defineTool({
    description: `Creates or replaces a file with the given content (at most ${MAX_WRITE_BYTES} bytes).`,
    schema: z.object({ path: pathArg, content: z.string().describe('The complete new content') }),
    async run({ path, content }, { session, timeoutMs }) {
      const bytes = Buffer.byteLength(content, 'utf8');
      if (bytes > MAX_WRITE_BYTES) {
        return { output: `Error: content is ${bytes} bytes; the limit is ${MAX_WRITE_BYTES} bytes` };
      }
      // Reads exactly `bytes` and checks the size, so neither a lost EOF nor a cut stream goes unnoticed.
      const script = 'head -c "$2" > "$1" && [ $(wc -c < "$1") -eq "$2" ]';
      const result = await session.exec(['sh', '-c', script, 'sh', path, String(bytes)], {
        stdin: content,
        timeoutMs,
        outputCapBytes: OUTPUT_CAP_BYTES,
      });
      if (result.exitCode !== 0) return failure(`writing ${path}`, result, timeoutMs);
      return { output: `Wrote ${bytes} bytes to ${path}` };
    },
  }),
  list_files: defineTool({
    description: 'Lists a directory (ls -la).',
    schema: z.object({ path: pathArg }),
    async run({ path }, { session, timeoutMs }) {
      const result = await session.exec(['ls', '-la', '--', path], { timeoutMs, outputCapBytes: OUTPUT_CAP_BYTES });
      if (result.exitCode !== 0) return failure(`listing ${path}`, result, timeoutMs);
      return { output: result.stdout };
    },
  }),
  finish: defineTool({
    description: 'Ends the run. Call it once the task is done or cannot be done.',
    schema: z.object({ summary: z.string().min(1).describe('What was done and found, for the person who asked') }),
    async run({ summary }) {
      return { output: 'Finished.', finish: summary };
    },
  }),
};

type ToolName = keyof typeof TOOLS;
const isToolName = (name: string): name is ToolName => Object.hasOwn(TOOLS, name);

function toolDefinitions(): ChatCompletionFunctionTool[] {
  return Object.entries(TOOLS).map(([name, tool]) => {
    const { $schema: _, ...parameters } = z.toJSONSchema(tool.schema);
    return { type: 'function', function: { name, description: tool.description, parameters } };
  });
}

interface ParsedCall {
  input: unknown;
  /** Set when the arguments are unusable: fed back to the model as the tool's result. */
  error?: string;
  run?: (context: ToolContext) => Promise<ToolReply>;
}

/** Bad JSON, an unknown tool or arguments its schema refuses become a message, not a crash. */
function parseCall(call: ChatCompletionMessageFunctionToolCall): ParsedCall {
  const { name, arguments: raw } = call.function;
  let input: unknown;
  try {
    input = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    return { input: raw, error: `Error: the arguments for ${name} are not valid JSON.` };
  }
  if (!isToolName(name)) {
    return { input, error: `Error: there is no tool named ${name}. Use one of: ${Object.keys(TOOLS).join(', ')}.` };
  }
  return parseArgs(name, input);
}

function parseArgs(name: ToolName, input: unknown): ParsedCall {
  const tool: AgentTool<z.ZodType> = TOOLS[name] as AgentTool<z.ZodType>;
  const parsed = tool.schema.safeParse(input);
  if (!parsed.success) {
    return { input, error: `Error: invalid arguments for ${name}:\n${z.prettifyError(parsed.error)}` };
  }
  return { input: parsed.data, run: (context) => tool.run(parsed.data, context) };
}

/** Applies the mask to every string inside a tool's input, for the transcript. */
function maskDeep(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, mask));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item, mask)]));
  }
  return value;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * An OpenAI tool-calling loop whose tools all run in one live sandbox session. A step is one
 * model call; its tool calls run in order before the next. Token and cost limits are checked
 * after each step, so a step's tool calls still run and the next model call is not made. Every
 * tool output is masked before the model or the transcript sees it.
 */
export async function runLlmAgent(
  deps: LlmAgentDeps,
  input: { instructions: string; limits: LlmAgentLimits },
): Promise<LlmAgentResult> {
  const { client, model, session, mask, signal } = deps;
  const { limits } = input;
  const context: ToolContext = { session, timeoutMs: limits.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS };
  const tools = toolDefinitions();
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: input.instructions },
  ];
  const transcript: TranscriptEntry[] = [];
  let steps = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  const costUsd = () => costOf(model, promptTokens, completionTokens);
  const end = (outcome: LlmAgentOutcome, summary: string): LlmAgentResult => ({
    outcome,
    summary: mask(summary),
    steps,
    promptTokens,
    completionTokens,
    costUsd: costUsd(),
    transcript,
  });
  const cancelled = () => end('cancelled', `Cancelled after ${steps} step(s).`);

  while (steps < limits.maxSteps) {
    if (signal?.aborted) return cancelled();
    steps += 1;
    const step = steps;

    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await client.chat.completions.create(
        { model, messages, tools, tool_choice: 'auto' },
        signal ? { signal } : undefined,
      );
    } catch (error) {
      if (signal?.aborted) return cancelled();
      return end('model_error', `The model call failed: ${errorMessage(error)}`);
    }
    promptTokens += completion.usage?.prompt_tokens ?? 0;
    completionTokens += completion.usage?.completion_tokens ?? 0;

    const message = completion.choices[0]?.message;
    if (!message) return end('model_error', 'The model returned no answer.');
    const content = message.content ?? message.refusal ?? '';
    const calls = (message.tool_calls ?? []).filter(
      (call): call is ChatCompletionMessageFunctionToolCall => call.type === 'function',
    );
    messages.push({ role: 'assistant', content: message.content, tool_calls: calls.length ? calls : undefined });
    transcript.push({ step, role: 'assistant', content: mask(content) });
    if (calls.length === 0) return end('finished', content);

    for (const call of calls) {
      const parsed = parseCall(call);
      let reply: ToolReply;
      if (parsed.run) {
        try {
          reply = await parsed.run(context);
        } catch (error) {
          if (signal?.aborted) return cancelled();
          return end('sandbox_error', `The sandbox failed: ${errorMessage(error)}`);
        }
      } else {
        reply = { output: parsed.error ?? 'Error: unusable tool call.' };
      }
      const output = mask(reply.output);
      transcript.push({ step, role: 'tool', tool: call.function.name, input: maskDeep(parsed.input, mask), output });
      if (reply.finish !== undefined) return end('finished', reply.finish);
      messages.push({ role: 'tool', tool_call_id: call.id, content: output });
    }

    if (signal?.aborted) return cancelled();
    if (promptTokens + completionTokens >= limits.maxTokens) {
      return end('token_limit', `Stopped after ${steps} step(s): the token limit of ${limits.maxTokens} was reached.`);
    }
    if (costUsd() >= limits.maxCostUsd) {
      return end('cost_limit', `Stopped after ${steps} step(s): the cost limit of $${limits.maxCostUsd} was reached.`);
    }
  }
  return end('step_limit', `Stopped after the step limit of ${limits.maxSteps} steps without finishing.`);
}
