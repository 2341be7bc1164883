/**
 * Hides secrets in sandbox output before it is stored, posted to Slack or shown to a model.
 * Known token shapes are matched by pattern; configured secret values (our own tokens and keys)
 * are matched literally, also when the output's cap cut one in half.
 */

export const MASK = '[masked]';

const TOKEN_SHAPES: RegExp[] = [
  // Slack bot, user, app-level and refresh tokens; incoming webhook URLs.
  /\bxox[abposer]-[A-Za-z0-9-]{6,}/g,
  /\bxapp-\d-[A-Za-z0-9-]{6,}/g,
  /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g,
  // OpenAI keys, project and service-account keys included.
  /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
  // GitHub personal, OAuth, app and refresh tokens; fine-grained PATs.
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{30,}/g,
  // AWS access key ids, and secret keys where they are named.
  /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/g,
  /(?<=aws_secret_access_key["']?\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40,}/gi,
  // Any bearer credential in a header or a log line.
  /(?<=\bBearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
  // A password in a URL: https://user:secret@host.
  /(?<=\/\/[^/\s:@]+:)[^/\s@]+(?=@)/g,
];

/** The shortest configured value worth matching: shorter ones would mask ordinary words. */
const MIN_SECRET_LENGTH = 8;
/** A cut-off secret at the very end of capped output is masked from this many characters on. */
const MIN_PARTIAL_LENGTH = 4;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type Masker = (text: string) => string;

/** Builds one masker for the token shapes above plus every configured secret value. */
export function createMasker(secretValues: Iterable<string | undefined>): Masker {
  const secrets = [...new Set([...secretValues].filter((value): value is string => !!value))]
    .filter((value) => value.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret that contains another is masked whole.
    .sort((a, b) => b.length - a.length);
  const literal = secrets.length > 0 ? new RegExp(secrets.map(escapeRegExp).join('|'), 'g') : null;
  return (text) => {
    let masked = literal ? text.replace(literal, MASK) : text;
    for (const shape of TOKEN_SHAPES) masked = masked.replace(shape, MASK);
    return maskCutOffTail(masked, secrets);
  };
}

function maskCutOffTail(text: string, secrets: string[]): string {
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, text.length); length >= MIN_PARTIAL_LENGTH; length--) {
      if (text.endsWith(secret.slice(0, length))) return `${text.slice(0, text.length - length)}${MASK}`;
    }
  }
  return text;
}
