import { DateTime } from 'luxon';
import { createLogger } from '../logger';
import { RequestParser } from '../parse/request-parser';

export interface ParseCommandOptions {
  now?: string;
  tz?: string;
  parser: 'auto' | 'openai' | 'fallback';
}

function fail(message: string): number {
  process.stderr.write(`taskpilot parse: ${message}\n`);
  return 2;
}

/**
 * `taskpilot parse`: prints exactly one JSON object (DESIGN.md) on stdout; needs neither Slack
 * nor MongoDB. Problems go to stderr with exit code 2. With `--parser openai` (or `auto` and a key)
 * it runs the same pipeline as the app: OpenAI first, the deterministic parser if that fails, with
 * a line on stderr saying so.
 */
export async function runParse(
  text: string,
  options: ParseCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const now = options.now ? DateTime.fromISO(options.now, { setZone: true }) : DateTime.now();
  if (!now.isValid) return fail('--now must be an ISO instant such as 2026-03-04T09:30:00Z');
  const tz = options.tz ?? DateTime.local().zoneName ?? 'UTC';
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (options.parser === 'openai' && !apiKey) return fail('--parser openai needs OPENAI_API_KEY');

  const parser = new RequestParser({
    mode: options.parser,
    logger: createLogger({ level: 'silent', pretty: false }),
    timeoutMs: 8000,
    openai: apiKey
      ? { apiKey, baseUrl: env.OPENAI_BASE_URL || undefined, model: env.OPENAI_MODEL || 'gpt-4o-mini' }
      : undefined,
  });
  try {
    const { parser: used, fallbackReason, ...result } = await parser.parse(text, { now: now.toJSDate(), tz });
    if (options.parser !== 'fallback' && apiKey && used === 'fallback') {
      process.stderr.write(`taskpilot parse: OpenAI failed (${fallbackReason}); the deterministic parser answered\n`);
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}
