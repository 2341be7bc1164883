import { createMasker, MASK } from '../../../src/sandbox/mask';

describe('secret masking', () => {
  const mask = createMasker(['configured-secret-value', undefined, 'short']);

  it.each([
    ['a Slack bot token', 'token=xoxb-1234567890-0987654321-AbCdEfGh', `token=${MASK}`],
    ['a Slack user token', 'xoxp-1234-5678-abcdef', MASK],
    ['an app-level token', 'xapp-1-A0123-456-abcdef', MASK],
    ['a Slack webhook', 'POST https://hooks.slack.com/services/T000/B000/XXXX', `POST ${MASK}`],
    ['an OpenAI key', 'OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx', `OPENAI_API_KEY=${MASK}`],
    ['a GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', MASK],
    ['a fine-grained GitHub PAT', 'github_pat_11ABCDEFG0abcdefghijklmnopqrstuvwxyz', MASK],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE', MASK],
    [
      'an AWS secret key where it is named',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab',
      `aws_secret_access_key = ${MASK}`,
    ],
    ['a bearer token', 'Authorization: Bearer abc.def.ghi-123', `Authorization: Bearer ${MASK}`],
    ['a password in a URL', 'https://bob:hunter2secret@example.com/x', `https://bob:${MASK}@example.com/x`],
    ['a configured secret', 'the value is configured-secret-value!', `the value is ${MASK}!`],
  ])('hides %s', (_, text, expected) => {
    expect(mask(text)).toBe(expected);
  });

  it('hides a configured secret cut in half at the end of capped output', () => {
    expect(mask('output ends with configured-sec')).toBe(`output ends with ${MASK}`);
  });

  it('leaves ordinary text, and configured values too short to be told from words, alone', () => {
    const text = 'a short skip of sk-1 and xoxb without a body; tests passed';
    expect(mask(text)).toBe(text);
  });
});
