import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger';

/** Quiet by default; TEST_LOG_LEVEL=debug shows the app's lines while debugging a test. */
export function testLogger(): Logger {
  return createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false });
}

/** A logger whose JSON lines the test can read back; `echo` also prints them (for debugging). */
export function capturingLogger(
  level = 'debug',
  options: { echo?: boolean } = {},
): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (options.echo) process.stdout.write(chunk);
      callback();
    },
  });
  return {
    logger: createLogger({ level, destination }),
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
