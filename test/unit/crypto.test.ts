import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret } from '../../src/util/crypto';

describe('secrets at rest', () => {
  const key = randomBytes(32);

  it('round-trips and never stores the plain text', () => {
    const sealed = encryptSecret('xoxb-very-secret', key);
    expect(sealed).not.toContain('xoxb');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(decryptSecret(sealed, key)).toBe('xoxb-very-secret');
  });

  it('uses a fresh IV each time', () => {
    expect(encryptSecret('same', key)).not.toBe(encryptSecret('same', key));
  });

  it('fails loudly on a tampered value or another key', () => {
    const sealed = encryptSecret('xoxb-1', key);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 0xff;
    const tampered = [parts[0], parts[1], parts[2], body.toString('base64url')].join('.');
    expect(() => decryptSecret(tampered, key)).toThrow();
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow();
    expect(() => decryptSecret('plain-text', key)).toThrow(/not an encrypted/);
  });
});
