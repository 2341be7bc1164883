import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../logger';

const LEVELS = new Set<string>(Object.values(LogLevel));

/** Bolt's logger interface over pino, so Bolt's own lines are structured and redacted too. */
export function boltLogger(logger: Logger): SlackLogger {
  let target = logger.child({ component: 'bolt' });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      const errors = parts.filter((part): part is Error => part instanceof Error);
      const text = parts
        .filter((part) => !(part instanceof Error))
        .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
        .join(' ');
      if (errors.length > 0) target[level]({ err: errors[0] }, text);
      else target[level](text);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // pino's level is set from LOG_LEVEL once; Bolt's own defaults must not override it.
    setLevel: () => undefined,
    getLevel: () => (LEVELS.has(target.level) ? (target.level as LogLevel) : LogLevel.INFO),
    setName: (name: string) => {
      target = logger.child({ component: name });
    },
  };
}
