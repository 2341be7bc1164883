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

/** "a, b ,c" → ['a', 'b', 'c']; unset → []. */
const commaList = optionalText.transform((value) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
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
  TASKPILOT_EMBEDDED_POOL: positiveInt(2, 'connections to the embedded database'),
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
  SANDBOX_WORKSPACE_MB: positiveInt(64, 'megabytes of writable /workspace per sandbox'),
  AGENT_IMAGES: commaList,
  AGENT_NETWORK: booleanFlag(false),
  AGENT_REPO_HOSTS: commaList,
  AGENT_REPO_MAX_MB: positiveInt(48, 'megabytes a cloned repository may take (keep it under SANDBOX_WORKSPACE_MB)'),
  AGENT_REPO_TIMEOUT_SECONDS: positiveInt(60, 'seconds a clone may take'),
  AGENT_REPO_CA_FILE: optionalText,
  AGENT_CONCURRENCY: positiveInt(4, 'agent runs at once across all workers'),
  AGENT_WORKSPACE_CONCURRENCY: positiveInt(2, 'agent runs at once per workspace'),
  AGENT_MAX_STEPS: positiveInt(20, 'model calls per LLM agent run'),
  AGENT_MAX_TOKENS: positiveInt(200_000, 'tokens per LLM agent run'),
  AGENT_MAX_COST_USD: optionalText.pipe(
    numberText(/^[0-9]*\.?[0-9]+$/, 'must be an amount in US dollars, e.g. 0.5')
      .optional()
      .transform((value) => value ?? 0.5),
  ),
  AGENT_SECRET_VALUES: commaList,
  TASKPILOT_POLL_MS: positiveInt(5000, 'milliseconds between job-queue polls'),
  TASKPILOT_DISPATCH_MS: positiveInt(2000, 'milliseconds between scans for reminders coming due'),
  TASKPILOT_REMINDER_BACKSTOP_MS: positiveInt(
    30_000,
    'milliseconds after its time a reminder that did not go out on time is retried',
  ),
  TASKPILOT_JOB_LOCK_MS: positiveInt(120_000, 'milliseconds a worker holds a job before another may take it over'),
  TASKPILOT_JOB_RETRY_MS: positiveInt(5000, 'milliseconds before the first retry of a failed job (doubling after)'),
  TASKPILOT_JOB_RETRIES: positiveInt(5, 'retries of a failed job before it goes to the dead-letter queue'),
  TASKPILOT_JOB_CONCURRENCY: positiveInt(5, 'reminder jobs one worker runs at once'),
  TASKPILOT_MAX_IN_FLIGHT: positiveInt(8, 'Slack requests one process works on at once; more are answered busy'),
  TASKPILOT_ADMISSION_WAIT_MS: positiveInt(
    1000,
    'milliseconds a request over TASKPILOT_MAX_IN_FLIGHT waits for a slot before it is answered busy; capped at 2000',
  ),
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
  /** `embeddedPool`: connections to the embedded server (with `uri`, the URI sets the pool). */
  mongo: { uri: string | undefined; dataDir: string; embeddedPool: number };
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
    workspaceMb: number;
  };
  agents: AgentConfig;
  /** Every secret value TaskPilot knows, so sandbox output that echoes one is masked. */
  secretValues: string[];
  jobs: {
    /** Agenda's poll; it locks the jobs due before the next poll and runs them on timers. */
    pollMs: number;
    /** The reminder dispatcher's scan for tasks coming due. */
    dispatchMs: number;
    /** A reminder's Agenda job runs this long after its time, should the dispatcher not have fired it. */
    backstopMs: number;
    lockLifetimeMs: number;
    retryDelayMs: number;
    retries: number;
    concurrency: number;
  };
  /** Admission control: request work at once, and how long one over the bound waits. */
  admission: { maxInFlight: number; maxWaitMs: number };
  sentryDsn: string | undefined;
  logLevel: string;
  port: number;
  encryptionKey: Buffer | undefined;
}

export interface AgentConfig {
  /** Images agent runs may use; the first is the default. */
  images: string[];
  /** Whether runs may have a network (`--network bridge`); off: only loopback. */
  networkAllowed: boolean;
  repos: { allowedHosts: string[]; maxBytes: number; timeoutMs: number; caFile: string | undefined };
  concurrency: { global: number; perWorkspace: number };
  llm: { maxSteps: number; maxTokens: number; maxCostUsd: number };
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

function jobProblems(env: Env): string[] {
  const backstop = env.TASKPILOT_REMINDER_BACKSTOP_MS;
  const problems: string[] = [];
  // Agenda takes the jobs due before its next poll: a backstop inside that window would run
  // reminders' jobs alongside the on-time dispatch, a lock query each on FerretDB.
  if (backstop <= 2 * env.TASKPILOT_POLL_MS) {
    problems.push(
      `TASKPILOT_REMINDER_BACKSTOP_MS (${backstop}) must be more than twice TASKPILOT_POLL_MS (${env.TASKPILOT_POLL_MS})`,
    );
  }
  // A reminder first sent more than a minute after its time is reported as missed.
  if (backstop >= 60_000) {
    problems.push(
      `TASKPILOT_REMINDER_BACKSTOP_MS (${backstop}) must be under 60000: later, a retried reminder counts as missed`,
    );
  }
  return problems;
}

function decodeKey(value: string | undefined): Buffer | undefined {
  if (!value) return undefined;
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

function parseEnv(source: NodeJS.ProcessEnv): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  return parsed.data;
}

function sandboxParts(env: Env): Pick<Config, 'sandbox' | 'agents' | 'secretValues'> {
  const image = env.SANDBOX_IMAGE ?? DEFAULT_SANDBOX_IMAGE;
  return {
    sandbox: {
      enabled: env.SANDBOX_ENABLED,
      dockerHost: env.DOCKER_HOST,
      image,
      memoryMb: env.SANDBOX_MEMORY_MB,
      cpus: env.SANDBOX_CPUS,
      pidsLimit: env.SANDBOX_PIDS_LIMIT,
      timeoutSeconds: env.SANDBOX_TIMEOUT_SECONDS,
      workspaceMb: env.SANDBOX_WORKSPACE_MB,
    },
    agents: {
      images: env.AGENT_IMAGES.length > 0 ? env.AGENT_IMAGES : [image],
      networkAllowed: env.AGENT_NETWORK,
      repos: {
        allowedHosts: (env.AGENT_REPO_HOSTS.length > 0
          ? env.AGENT_REPO_HOSTS
          : ['github.com', 'gitlab.com', 'bitbucket.org']
        ).map((host) => host.toLowerCase()),
        maxBytes: env.AGENT_REPO_MAX_MB * 1024 * 1024,
        timeoutMs: env.AGENT_REPO_TIMEOUT_SECONDS * 1000,
        caFile: env.AGENT_REPO_CA_FILE,
      },
      concurrency: { global: env.AGENT_CONCURRENCY, perWorkspace: env.AGENT_WORKSPACE_CONCURRENCY },
      llm: { maxSteps: env.AGENT_MAX_STEPS, maxTokens: env.AGENT_MAX_TOKENS, maxCostUsd: env.AGENT_MAX_COST_USD },
    },
    secretValues: [
      env.SLACK_SIGNING_SECRET,
      env.SLACK_BOT_TOKEN,
      env.SLACK_CLIENT_SECRET,
      env.SLACK_STATE_SECRET,
      env.SLACK_APP_TOKEN,
      env.OPENAI_API_KEY,
      env.TASKPILOT_ENCRYPTION_KEY,
      env.SENTRY_DSN,
      env.MONGODB_URI && new URL(env.MONGODB_URI).password
        ? decodeURIComponent(new URL(env.MONGODB_URI).password)
        : undefined,
      ...env.AGENT_SECRET_VALUES,
    ].filter((value): value is string => !!value),
  };
}

/** The sandbox part alone, for `taskpilot sandbox run`: it needs no Slack settings. */
export function loadSandboxConfig(
  source: NodeJS.ProcessEnv = process.env,
): Pick<Config, 'sandbox' | 'agents' | 'secretValues'> {
  return sandboxParts(parseEnv(source));
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = parseEnv(source);
  const problems = [...slackProblems(env), ...jobProblems(env)];
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
      embeddedPool: env.TASKPILOT_EMBEDDED_POOL,
    },
    openai: {
      apiKey: env.OPENAI_API_KEY,
      baseUrl: env.OPENAI_BASE_URL,
      model: env.OPENAI_MODEL ?? 'gpt-4o-mini',
      parser: env.TASKPILOT_PARSER ?? 'auto',
      timeoutMs: Math.min(env.OPENAI_TIMEOUT_MS, 8000),
      monthlyBudgetUsd: env.OPENAI_MONTHLY_BUDGET_USD,
    },
    ...sandboxParts(env),
    jobs: {
      pollMs: env.TASKPILOT_POLL_MS,
      dispatchMs: env.TASKPILOT_DISPATCH_MS,
      backstopMs: env.TASKPILOT_REMINDER_BACKSTOP_MS,
      lockLifetimeMs: env.TASKPILOT_JOB_LOCK_MS,
      retryDelayMs: env.TASKPILOT_JOB_RETRY_MS,
      retries: env.TASKPILOT_JOB_RETRIES,
      concurrency: env.TASKPILOT_JOB_CONCURRENCY,
    },
    // The wait is capped so a refused request is still told "busy" within Slack's 3 s.
    admission: { maxInFlight: env.TASKPILOT_MAX_IN_FLIGHT, maxWaitMs: Math.min(env.TASKPILOT_ADMISSION_WAIT_MS, 2000) },
    sentryDsn: env.SENTRY_DSN,
    logLevel: env.LOG_LEVEL ?? 'info',
    port: env.PORT ?? 3000,
    encryptionKey: decodeKey(env.TASKPILOT_ENCRYPTION_KEY),
  };
}
