import type { Logger } from './logger';

/**
 * What listeners and jobs are given to do their work. Everything they touch arrives through this
 * object, so tests compose the real services over the test database instead of patching globals.
 */
export interface Services {
  logger: Logger;
}
