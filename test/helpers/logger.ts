import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger';

/** Quiet by default; TEST_LOG_LEVEL=debug shows the app's lines while debugging a test. */
export function testLogger(): Logger {
  return createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false });
}

/** A logger whose JSON lines the test can read back. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return {
    logger: createLogger({ level, destination }),
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
