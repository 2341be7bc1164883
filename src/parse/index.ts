import { DateTime, IANAZone } from 'luxon';
import { UserInputError } from '../errors';
import { parseDeterministic } from './deterministic';
import { resolveUnderstanding } from './resolve';
import type { ParseResult } from './types';

export type { ParseResult } from './types';

/** Slack's own limit for a message is far higher; a request longer than this is not a task. */
export const MAX_REQUEST_LENGTH = 2000;

export interface ParseOptions {
  now: Date;
  tz: string;
}

export function assertValidZone(tz: string): void {
  if (!IANAZone.isValidZone(tz)) throw new UserInputError(`"${tz}" is not a time zone I know (try Europe/Berlin).`);
}

/** The one place the length limit is checked and worded. */
export function assertRequestLength(text: string): void {
  if (text.length > MAX_REQUEST_LENGTH) {
    throw new UserInputError(`That's ${text.length} characters; a task request can have up to ${MAX_REQUEST_LENGTH}.`);
  }
}

/** The deterministic pipeline: understand, then resolve in the requester's zone. */
export function parseWithFallbackParser(text: string, options: ParseOptions): ParseResult {
  assertValidZone(options.tz);
  assertRequestLength(text);
  if (!DateTime.fromJSDate(options.now).isValid) throw new UserInputError('"now" is not a valid instant.');
  return resolveUnderstanding(parseDeterministic(text), options.now, options.tz);
}
