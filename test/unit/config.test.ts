import { ConfigError, DEFAULT_SANDBOX_IMAGE, loadConfig } from '../../src/config';

const minimal = { SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1-2-3' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('accepts the minimal single-workspace setup and fills the defaults', () => {
    const config = loadConfig(minimal);
    expect(config.slack.auth).toEqual({ kind: 'single', botToken: 'xoxb-1-2-3' });
    expect(config.port).toBe(3000);
    expect(config.mongo.uri).toBeUndefined();
    expect(config.mongo.dataDir).toMatch(/\.taskpilot$/);
    expect(config.openai.parser).toBe('auto');
    expect(config.sandbox).toMatchObject({ enabled: true, image: DEFAULT_SANDBOX_IMAGE, memoryMb: 256, cpus: 1 });
    expect(config.logLevel).toBe('info');
  });

  it('names a missing signing secret and says where to find it', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET is required: the Signing Secret from your Slack app/),
    ]);
  });

  it('treats an empty value as missing', () => {
    expect(problemsOf({ ...minimal, SLACK_SIGNING_SECRET: '  ' })[0]).toMatch(/^SLACK_SIGNING_SECRET is required/);
  });

  it('does not need a signing secret in Socket Mode', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    expect(config.slack.appToken).toBe('xapp-1');
  });

  it.each([
    ['PORT', 'http', /^PORT must be a TCP port between 0 and 65535$/],
    ['PORT', '70000', /^PORT must be a TCP port between 0 and 65535$/],
    ['SLACK_BOT_TOKEN', 'xoxp-user-token', /^SLACK_BOT_TOKEN must start with "xoxb-"/],
    ['SLACK_APP_TOKEN', 'xoxb-1', /^SLACK_APP_TOKEN must start with "xapp-"/],
    ['MONGODB_URI', 'postgres://x', /^MONGODB_URI must be a MongoDB connection string/],
    ['SLACK_API_URL', 'not a url', /^SLACK_API_URL must be a URL/],
    ['TASKPILOT_PARSER', 'gpt', /^TASKPILOT_PARSER must be auto, openai or fallback$/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL must be one of/],
    ['SANDBOX_MEMORY_MB', '0', /^SANDBOX_MEMORY_MB must be a whole number greater than 0/],
    ['SANDBOX_CPUS', '-1', /^SANDBOX_CPUS must be a number of CPUs greater than 0/],
    ['SANDBOX_ENABLED', 'maybe', /^SANDBOX_ENABLED must be true or false$/],
    ['TASKPILOT_ENCRYPTION_KEY', 'short', /^TASKPILOT_ENCRYPTION_KEY must be 32 random bytes/],
  ])('names %s when it is malformed (%s)', (name, value, message) => {
    expect(problemsOf({ ...minimal, [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it('parses numbers, fractions and flags', () => {
    const config = loadConfig({
      ...minimal,
      PORT: '0',
      SANDBOX_CPUS: '0.5',
      SANDBOX_ENABLED: 'off',
      SANDBOX_MEMORY_MB: '512',
    });
    expect(config.port).toBe(0);
    expect(config.sandbox).toMatchObject({ cpus: 0.5, enabled: false, memoryMb: 512 });
  });

  describe('OAuth (many workspaces)', () => {
    const oauth = {
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_CLIENT_ID: '123.456',
      SLACK_CLIENT_SECRET: 'client-secret',
      SLACK_STATE_SECRET: 'state-secret',
      TASKPILOT_ENCRYPTION_KEY: 'a'.repeat(64),
    };

    it('accepts the trio with an encryption key', () => {
      const config = loadConfig(oauth);
      expect(config.slack.auth.kind).toBe('oauth');
      expect(config.encryptionKey).toHaveLength(32);
    });

    it('names the missing parts of the trio', () => {
      const { SLACK_STATE_SECRET: _omit, ...partial } = oauth;
      expect(problemsOf(partial)).toEqual(['SLACK_STATE_SECRET required for OAuth (set all three)']);
    });

    it('requires the encryption key for tokens at rest', () => {
      const { TASKPILOT_ENCRYPTION_KEY: _omit, ...withoutKey } = oauth;
      expect(problemsOf(withoutKey)[0]).toMatch(/^TASKPILOT_ENCRYPTION_KEY is required with OAuth/);
    });

    it('refuses a bot token and the trio together', () => {
      expect(problemsOf({ ...oauth, SLACK_BOT_TOKEN: 'xoxb-1' })[0]).toMatch(/exclude each other/);
    });
  });

  it('keeps a reminder backstop out of the window Agenda locks ahead', () => {
    expect(loadConfig(minimal).jobs).toMatchObject({ pollMs: 5000, dispatchMs: 2000, backstopMs: 30_000 });
    expect(problemsOf({ ...minimal, TASKPILOT_POLL_MS: '5000', TASKPILOT_REMINDER_BACKSTOP_MS: '10000' })).toEqual([
      'TASKPILOT_REMINDER_BACKSTOP_MS (10000) must be more than twice TASKPILOT_POLL_MS (5000)',
    ]);
    expect(problemsOf({ ...minimal, TASKPILOT_REMINDER_BACKSTOP_MS: '90000' })).toEqual([
      'TASKPILOT_REMINDER_BACKSTOP_MS (90000) must be under 60000: later, a retried reminder counts as missed',
    ]);
    expect(
      loadConfig({ ...minimal, TASKPILOT_POLL_MS: '200', TASKPILOT_REMINDER_BACKSTOP_MS: '1000' }).jobs.backstopMs,
    ).toBe(1000);
  });

  it("bounds request work per process, and caps the admission wait below Slack's 3 s", () => {
    expect(loadConfig(minimal).admission).toEqual({ maxInFlight: 8, maxWaitMs: 1000 });
    expect(
      loadConfig({ ...minimal, TASKPILOT_MAX_IN_FLIGHT: '3', TASKPILOT_ADMISSION_WAIT_MS: '9000' }).admission,
    ).toEqual({ maxInFlight: 3, maxWaitMs: 2000 });
    expect(problemsOf({ ...minimal, TASKPILOT_MAX_IN_FLIGHT: '0' })).toEqual([
      expect.stringMatching(/^TASKPILOT_MAX_IN_FLIGHT .*whole number greater than 0/),
    ]);
  });

  it('sizes the pool to the embedded database: two unless set, and never none', () => {
    expect(loadConfig(minimal).mongo.embeddedPool).toBe(2);
    expect(loadConfig({ ...minimal, TASKPILOT_EMBEDDED_POOL: '4' }).mongo.embeddedPool).toBe(4);
    expect(problemsOf({ ...minimal, TASKPILOT_EMBEDDED_POOL: '0' })[0]).toMatch(/^TASKPILOT_EMBEDDED_POOL /);
  });

  it('reports every problem in one message', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'x' });
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error?.message).toMatch(/^invalid configuration: PORT must be/);
    expect(error?.message).not.toContain('\n');
  });
});
