import * as Sentry from '@sentry/node';
import { initSentry, reportError } from '../../src/observability/sentry';
import { testLogger } from '../helpers/logger';

describe('Sentry', () => {
  afterEach(async () => {
    await Sentry.close(1000);
  });

  it('stays off without a DSN', () => {
    expect(initSentry({ dsn: undefined }, testLogger())).toBe(false);
    expect(Sentry.isInitialized()).toBe(false);
  });

  it('reports errors through the configured transport, without network', async () => {
    const envelopes: unknown[] = [];
    const recording: NonNullable<Parameters<typeof initSentry>[0]['transport']> = () => ({
      send: async (envelope) => {
        envelopes.push(envelope);
        return {};
      },
      flush: async () => true,
    });
    expect(initSentry({ dsn: 'https://public@sentry.example.com/1', transport: recording }, testLogger())).toBe(true);

    reportError(new Error('listener exploded'), { code: 'unknown', kind: 'command' });
    await Sentry.flush(1000);

    const text = JSON.stringify(envelopes);
    expect(text).toContain('listener exploded');
    expect(text).toContain('"kind":"command"');
  });
});
