import path from 'node:path';
import { z } from 'zod';

/**
 * The environment, parsed once at start-up. Every variable TaskPilot reads is declared here, so a
 * typo or a missing secret stops start-up with one line instead of failing later mid-request.
 */

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const optionalUrl = (what: string) => optionalText.pipe(z.url({ message: `must be a URL (${what})` }).optional());

const prefixed = (prefix: string, what: string) =>
  optionalText.pipe(
    z
      .string()
      .startsWith(prefix, { message: `must start with "${prefix}" (${what})` })
      .optional(),
  );

const booleanFlag = (fallback: boolean) =>
  optionalText.pipe(
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
        message: 'must be true or false',
      })
      .optional()
      .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(value))),
  );

/** Environment values are text: numbers are checked as text first, then converted. */
const numberText = (pattern: RegExp, message: string) => z.string().regex(pattern, { message }).transform(Number);

const positiveInt = (fallback: number, what: string) =>
  optionalText.pipe(
    numberText(/^[1-9][0-9]*$/, `must be a whole number greater than 0 (${what})`)
      .optional()
      .transform((value) => value ?? fallback),
  );

const EnvSchema = z.object({
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_BOT_TOKEN: prefixed('xoxb-', 'a bot token from OAuth & Permissions'),
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SLACK_APP_TOKEN: prefixed('xapp-', 'an app-level token with connections:write, for Socket Mode'),
  SLACK_API_URL: optionalUrl('the Slack Web API base, e.g. https://slack.com/api/'),
  MONGODB_URI: optionalText.pipe(
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/.+/, {
        message: 'must be a MongoDB connection string (mongodb://host:port/db or mongodb+srv://…)',
      })
      .optional(),
  ),
  TASKPILOT_DATA_DIR: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalUrl('an OpenAI-compatible API base'),
  OPENAI_MODEL: optionalText,
  OPENAI_TIMEOUT_MS: positiveInt(2500, 'milliseconds for one OpenAI parse, retries included; capped at 8000'),
  OPENAI_MONTHLY_BUDGET_USD: optionalText.pipe(
    numberText(/^[0-9]*\.?[0-9]+$/, 'must be an amount in US dollars, e.g. 20')
      .optional()
      .transform((value) => value ?? 20),
  ),
  TASKPILOT_PARSER: optionalText.pipe(
    z.enum(['auto', 'openai', 'fallback'], { message: 'must be auto, openai or fallback' }).optional(),
  ),
  DOCKER_HOST: optionalText,
  SANDBOX_ENABLED: booleanFlag(true),
  SANDBOX_IMAGE: optionalText,
  SANDBOX_MEMORY_MB: positiveInt(256, 'megabytes per sandbox'),
  SANDBOX_CPUS: optionalText.pipe(
    numberText(/^(?=.*[1-9])[0-9]*\.?[0-9]+$/, 'must be a number of CPUs greater than 0, e.g. 0.5')
      .optional()
      .transform((value) => value ?? 1),
  ),
  SANDBOX_PIDS_LIMIT: positiveInt(128, 'processes per sandbox'),
  SANDBOX_TIMEOUT_SECONDS: positiveInt(120, 'wall-clock seconds per sandbox run'),
  TASKPILOT_POLL_MS: positiveInt(1000, 'milliseconds between scheduler polls'),
  TASKPILOT_JOB_LOCK_MS: positiveInt(120_000, 'milliseconds a worker holds a job before another may take it over'),
  TASKPILOT_JOB_RETRY_MS: positiveInt(5000, 'milliseconds before the first retry of a failed job (doubling after)'),
  TASKPILOT_JOB_RETRIES: positiveInt(5, 'retries of a failed job before it goes to the dead-letter queue'),
  TASKPILOT_JOB_CONCURRENCY: positiveInt(5, 'reminder jobs one worker runs at once'),
  SENTRY_DSN: optionalUrl('the DSN from your Sentry project settings'),
  LOG_LEVEL: optionalText.pipe(
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .optional(),
  ),
  PORT: optionalText.pipe(
    numberText(/^[0-9]{1,5}$/, 'must be a TCP port between 0 and 65535')
      .pipe(z.number().max(65535, { message: 'must be a TCP port between 0 and 65535' }))
      .optional(),
  ),
  TASKPILOT_ENCRYPTION_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}$|^[A-Za-z0-9+/]{43}=$/, {
        message: 'must be 32 random bytes as 64 hex characters or 44 base64 characters',
      })
      .optional(),
  ),
});

type Env = z.infer<typeof EnvSchema>;

export type SlackAuth =
  | { kind: 'single'; botToken: string }
  | { kind: 'oauth'; clientId: string; clientSecret: string; stateSecret: string };

export interface Config {
  slack: {
    signingSecret: string | undefined;
    auth: SlackAuth;
    appToken: string | undefined;
    apiUrl: string | undefined;
  };
  mongo: { uri: string | undefined; dataDir: string };
  openai: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    model: string;
    parser: 'auto' | 'openai' | 'fallback';
    timeoutMs: number;
    monthlyBudgetUsd: number;
  };
  sandbox: {
    enabled: boolean;
    dockerHost: string | undefined;
    image: string;
    memoryMb: number;
    cpus: number;
    pidsLimit: number;
    timeoutSeconds: number;
  };
  jobs: {
    pollMs: number;
    lockLifetimeMs: number;
    retryDelayMs: number;
    retries: number;
    concurrency: number;
  };
  sentryDsn: string | undefined;
  logLevel: string;
  port: number;
  encryptionKey: Buffer | undefined;
}

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_SANDBOX_IMAGE = 'taskpilot/sandbox:test';

function slackProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    problems.push("SLACK_SIGNING_SECRET is required: the Signing Secret from your Slack app's Basic Information page");
  }
  const oauthParts = [env.SLACK_CLIENT_ID, env.SLACK_CLIENT_SECRET, env.SLACK_STATE_SECRET];
  const oauthGiven = oauthParts.filter(Boolean).length;
  if (env.SLACK_BOT_TOKEN && oauthGiven > 0) {
    problems.push(
      'SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/SLACK_STATE_SECRET exclude each other: set the bot token for one workspace or the OAuth trio for many',
    );
  } else if (!env.SLACK_BOT_TOKEN && oauthGiven === 0) {
    problems.push(
      'SLACK_BOT_TOKEN is required (xoxb-…, one workspace), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for OAuth',
    );
  } else if (!env.SLACK_BOT_TOKEN && oauthGiven < 3) {
    const missing = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'].filter(
      (_, index) => !oauthParts[index],
    );
    problems.push(`${missing.join(', ')} required for OAuth (set all three)`);
  }
  if (oauthGiven === 3 && !env.TASKPILOT_ENCRYPTION_KEY) {
    problems.push(
      'TASKPILOT_ENCRYPTION_KEY is required with OAuth: 32 random bytes (openssl rand -hex 32) to encrypt installation tokens at rest',
    );
  }
  return problems;
}

function decodeKey(value: string | undefined): Buffer | undefined {
  if (!value) return undefined;
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const env = parsed.data;
  const problems = slackProblems(env);
  if (problems.length > 0) throw new ConfigError(problems);

  const auth: SlackAuth = env.SLACK_BOT_TOKEN
    ? { kind: 'single', botToken: env.SLACK_BOT_TOKEN }
    : {
        kind: 'oauth',
        clientId: env.SLACK_CLIENT_ID as string,
        clientSecret: env.SLACK_CLIENT_SECRET as string,
        stateSecret: env.SLACK_STATE_SECRET as string,
      };

  return {
    slack: {
      signingSecret: env.SLACK_SIGNING_SECRET,
      auth,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
    },
    mongo: {
      uri: env.MONGODB_URI,
      dataDir: path.resolve(env.TASKPILOT_DATA_DIR ?? '.taskpilot'),
    },
    openai: {
      apiKey: env.OPENAI_API_KEY,
      baseUrl: env.OPENAI_BASE_URL,
      model: env.OPENAI_MODEL ?? 'gpt-4o-mini',
      parser: env.TASKPILOT_PARSER ?? 'auto',
      timeoutMs: Math.min(env.OPENAI_TIMEOUT_MS, 8000),
      monthlyBudgetUsd: env.OPENAI_MONTHLY_BUDGET_USD,
    },
    sandbox: {
      enabled: env.SANDBOX_ENABLED,
      dockerHost: env.DOCKER_HOST,
      image: env.SANDBOX_IMAGE ?? DEFAULT_SANDBOX_IMAGE,
      memoryMb: env.SANDBOX_MEMORY_MB,
      cpus: env.SANDBOX_CPUS,
      pidsLimit: env.SANDBOX_PIDS_LIMIT,
      timeoutSeconds: env.SANDBOX_TIMEOUT_SECONDS,
    },
    jobs: {
      pollMs: env.TASKPILOT_POLL_MS,
      lockLifetimeMs: env.TASKPILOT_JOB_LOCK_MS,
      retryDelayMs: env.TASKPILOT_JOB_RETRY_MS,
      retries: env.TASKPILOT_JOB_RETRIES,
      concurrency: env.TASKPILOT_JOB_CONCURRENCY,
    },
    sentryDsn: env.SENTRY_DSN,
    logLevel: env.LOG_LEVEL ?? 'info',
    port: env.PORT ?? 3000,
    encryptionKey: decodeKey(env.TASKPILOT_ENCRYPTION_KEY),
  };
}
