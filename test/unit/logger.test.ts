import { capturingLogger } from '../helpers/logger';

describe('logger', () => {
  it('writes JSON lines with the service name', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ teamId: 'T1' }, 'hello');
    expect(lines()[0]).toMatchObject({ level: 30, service: 'taskpilot', teamId: 'T1', msg: 'hello' });
  });

  it('redacts tokens, secrets and authorization headers wherever they sit', () => {
    const { logger, lines } = capturingLogger();
    logger.info(
      {
        token: 'xoxb-top',
        context: { botToken: 'xoxb-nested', userToken: 'xoxp-nested' },
        headers: { authorization: 'Bearer sk-live', 'x-slack-signature': 'v0=abc' },
        request: { headers: { authorization: 'Bearer nested' } },
        config: { signingSecret: 'shh', clientSecret: 'shh2', apiKey: 'sk-key' },
      },
      'sensitive',
    );
    const text = JSON.stringify(lines()[0]);
    for (const secret of [
      'xoxb-top',
      'xoxb-nested',
      'xoxp-nested',
      'sk-live',
      'v0=abc',
      'Bearer nested',
      'shh',
      'sk-key',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});
