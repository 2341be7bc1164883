import { randomBytes } from 'node:crypto';
import readline from 'node:readline';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startRuntime } from '../runtime';
import { FakeSlack } from './fake-slack';
import { renderMessage } from './render';
import { postSigned, slashCommandBody } from './signing';

export interface PlaygroundOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const POSTING_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);

/**
 * TaskPilot without a Slack workspace: the real app on the embedded database, talking to a local
 * fake Slack. Each line typed is sent as a correctly signed `/task <line>` to the app's own
 * /slack/events, and what the app answers or posts is printed.
 */
export async function runPlayground({ input, output, env }: PlaygroundOptions): Promise<void> {
  const slack = await FakeSlack.start();
  const secret = randomBytes(16).toString('hex');
  const config = loadConfig({
    ...env,
    SLACK_SIGNING_SECRET: secret,
    SLACK_BOT_TOKEN: 'xoxb-playground',
    SLACK_API_URL: slack.apiUrl,
    PORT: env.PORT ?? '0',
    SANDBOX_ENABLED: env.SANDBOX_ENABLED ?? 'false',
  });
  // Logs go to stderr so the conversation on stdout stays readable.
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn', destination: process.stderr });
  const runtime = await startRuntime({ config, role: 'all', logger });
  const events = `http://127.0.0.1:${runtime.port}/slack/events`;

  slack.onCall((call) => {
    if (POSTING_METHODS.has(call.method)) {
      output.write(`\n[${call.method} → ${String(call.body.channel ?? '')}]\n${renderMessage(call.body)}\n`);
    }
  });

  output.write(
    `TaskPilot playground: the app is on http://127.0.0.1:${runtime.port} with ${runtime.embedded ? `an embedded ${runtime.embedded.kind}` : 'MONGODB_URI'}.\n` +
      'Type what you would after /task (try "help"); "exit" or Ctrl-D leaves.\n',
  );

  const lines = readline.createInterface({ input, terminal: false });
  const interactive = Boolean((input as { isTTY?: boolean }).isTTY);
  let sent = 0;
  // At a terminal the prompt is "/task "; with piped input each line is echoed instead.
  const prompt = () => interactive && output.write('/task ');
  prompt();
  for await (const line of lines) {
    const text = line.trim();
    if (text === 'exit' || text === 'quit') break;
    if (!interactive && text) output.write(`\n/task ${text}\n`);
    if (text) {
      const id = `playground-${++sent}`;
      const res = await postSigned(
        events,
        slashCommandBody({ text, user_id: 'U0PLAYER', user_name: 'you', response_url: slack.responseUrl(id) }),
        'application/x-www-form-urlencoded',
        { secret },
      );
      if (res.status !== 200) {
        output.write(`(the app answered HTTP ${res.status})\n`);
      } else {
        const response = await slack.waitForResponse(id, 15_000).catch(() => undefined);
        output.write(`${response ? renderMessage(response.body) : '(no answer within 15 s)'}\n`);
      }
    }
    prompt();
  }
  output.write('\nbye\n');
  await runtime.shutdown();
  await slack.stop();
}
