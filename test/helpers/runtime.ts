import { loadConfig } from '../../src/config';
import type { Logger } from '../../src/logger';
import type { Role } from '../../src/roles';
import { type Runtime, type RuntimeOptions, startRuntime } from '../../src/runtime';
import { testLogger } from './logger';

export const TEST_SIGNING_SECRET = 'test-signing-secret';

export interface TestRuntimeOptions {
  mongoUri: string;
  /** A FakeSlack's apiUrl: without one Bolt's token check would retry slack.com for minutes. */
  slackApiUrl: string;
  role?: Role;
  env?: Record<string, string>;
  logger?: Logger;
  extra?: Partial<Pick<RuntimeOptions, 'defineExtraJobs' | 'drainTimeoutMs' | 'sentryTransport' | 'now'>>;
}

/** The real runtime on a random port, configured through the same env parsing as production. */
export async function startTestRuntime(options: TestRuntimeOptions): Promise<Runtime & { baseUrl: string }> {
  const config = loadConfig({
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    MONGODB_URI: options.mongoUri,
    PORT: '0',
    SANDBOX_ENABLED: 'false',
    SLACK_API_URL: options.slackApiUrl,
    // Agenda's per-run watchdog timer outlives a job by half the lock lifetime: keep it short.
    TASKPILOT_JOB_LOCK_MS: '2000',
    ...options.env,
  });
  const runtime = await startRuntime({
    config,
    role: options.role ?? 'all',
    logger: options.logger ?? testLogger(),
    ...options.extra,
  });
  return Object.assign(runtime, { baseUrl: `http://127.0.0.1:${runtime.port}` });
}
