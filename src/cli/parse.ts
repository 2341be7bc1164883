import { DateTime } from 'luxon';
import { parseWithFallbackParser } from '../parse';

export interface ParseCommandOptions {
  now?: string;
  tz?: string;
  parser: 'auto' | 'openai' | 'fallback';
}

/**
 * `taskpilot parse`: prints exactly one JSON object (DESIGN.md) on stdout; needs neither Slack
 * nor MongoDB. Problems go to stderr with exit code 2.
 */
export function runParse(text: string, options: ParseCommandOptions): number {
  const now = options.now ? DateTime.fromISO(options.now, { setZone: true }) : DateTime.now();
  if (!now.isValid) {
    process.stderr.write(`taskpilot parse: --now must be an ISO instant such as 2026-03-04T09:30:00Z\n`);
    return 2;
  }
  // The OpenAI step is not wired yet: asking for it by name says so rather than silently
  // answering with the deterministic parser, which is what `auto` uses until then.
  if (options.parser === 'openai') {
    process.stderr.write('taskpilot parse: the OpenAI parser is not available yet; use --parser fallback\n');
    return 2;
  }
  try {
    const result = parseWithFallbackParser(text, {
      now: now.toJSDate(),
      tz: options.tz ?? DateTime.local().zoneName ?? 'UTC',
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`taskpilot parse: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
