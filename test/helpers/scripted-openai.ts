import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const MODEL = 'gpt-4o-mini';

export interface ScriptedCall {
  name: string;
  /** An object is sent as JSON; a string is sent as it is (to send broken JSON). */
  args: object | string;
}

export interface SentBody {
  model: string;
  tool_choice: string;
  tools: { type: string; function: { name: string; parameters: { type: string } } }[];
  messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: { id: string }[] }[];
}

let callIds = 0;
export function completion(
  reply: { calls?: ScriptedCall[]; content?: string },
  usage = { prompt: 100, completion: 20 },
) {
  const calls = reply.calls ?? [];
  return {
    id: 'chatcmpl-agent',
    object: 'chat.completion',
    created: 1_772_616_600,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.content ?? null,
          refusal: null,
          ...(calls.length
            ? {
                tool_calls: calls.map((call) => ({
                  id: `call_${++callIds}`,
                  type: 'function',
                  function: {
                    name: call.name,
                    arguments: typeof call.args === 'string' ? call.args : JSON.stringify(call.args),
                  },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: calls.length ? 'tool_calls' : 'stop',
      },
    ],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    },
  };
}

/**
 * A scripted OpenAI: a local HTTP server that answers /v1/chat/completions with the queued
 * replies in order and records every request body. Not nock: loading nock patches `http` for the
 * whole process, and its passthrough socket sometimes writes a request twice, which breaks
 * dockerode's exec calls on the Docker socket (EPIPE).
 */
export class ScriptedOpenAI {
  readonly bodies: SentBody[] = [];
  private readonly replies: { status: number; body: unknown }[] = [];
  private readonly server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SentBody);
      const reply = request.url === '/v1/chat/completions' ? this.replies.shift() : undefined;
      const { status, body } = reply ?? { status: 500, body: { error: { message: `unscripted ${request.url}` } } };
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Queues the answers for the next calls and returns the list their request bodies go to. */
  script(replies: ReturnType<typeof completion>[]): SentBody[] {
    this.bodies.length = 0;
    this.replies.push(...replies.map((body) => ({ status: 200, body })));
    return this.bodies;
  }

  fail(status: number, message: string): void {
    this.replies.push({ status, body: { error: { message } } });
  }

  get pending(): number {
    return this.replies.length;
  }

  reset(): void {
    this.replies.length = 0;
  }
}
