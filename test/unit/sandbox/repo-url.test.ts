import { checkRepoUrl } from '../../../src/sandbox/repos';

const allowed = ['github.com', 'git.example.com:8443'];

describe('checkRepoUrl', () => {
  it.each([
    ['an allow-listed host', 'https://github.com/owner/repo.git', 'https://github.com/owner/repo.git'],
    ['a host in another case', 'https://GitHub.COM/owner/repo', 'https://github.com/owner/repo'],
    [
      'an allow-listed host:port',
      'https://git.example.com:8443/team/app.git',
      'https://git.example.com:8443/team/app.git',
    ],
    ['the default https port spelt out', 'https://github.com:443/owner/repo.git', 'https://github.com/owner/repo.git'],
    ['a fragment, which is dropped', 'https://github.com/owner/repo#readme', 'https://github.com/owner/repo'],
  ])('accepts %s', (_, raw, href) => {
    const result = checkRepoUrl(raw, allowed);
    expect(result.ok && result.url.href).toBe(href);
  });

  it.each([
    ['empty input', '', /repository URL/],
    ['plain http', 'http://github.com/owner/repo.git', /only clone over https/],
    ['a username and password', 'https://user:secret@github.com/owner/repo.git', /remove the username and password/],
    ['a token as username', 'https://ghp_token@github.com/owner/repo.git', /remove the username and password/],
    ['file://', 'file:///etc/passwd', /file:\/\/ addresses aren't supported/],
    ['ssh://', 'ssh://git@github.com/owner/repo.git', /ssh:\/\/ addresses aren't supported/],
    ['git://', 'git://github.com/owner/repo.git', /git:\/\/ addresses aren't supported/],
    ['scp-like git@host:path', 'git@github.com:owner/repo.git', /looks like an SSH address/],
    ['scp-like host:path', 'github.com:owner/repo.git', /looks like an SSH address/],
    ['an ext:: transport', 'ext::sh -c touch% /tmp/pwned', /spaces/],
    ['an ext:: transport without spaces', 'ext::/bin/false', /transport helpers/],
    ['an absolute local path', '/srv/repos/app.git', /not a local path/],
    ['a relative local path', '../app', /not a local path/],
    ['an option', '--upload-pack=touch /tmp/pwned', /spaces/],
    ['an option without spaces', '-uupload', /doesn't look like a repository URL/],
    ['a newline', 'https://github.com/owner/repo.git\n--config=x', /spaces or line breaks/],
    [
      'a port not on the list',
      'https://github.com:8443/owner/repo.git',
      /github\.com:8443.*workspace admin can add it to the allow-list/,
    ],
    ['a host only allowed with a port', 'https://git.example.com/team/app.git', /git\.example\.com: it isn't on/],
  ])('refuses %s', (_, raw, reason) => {
    const result = checkRepoUrl(raw, allowed);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('names a host that is not allowed and says who can allow it', () => {
    const result = checkRepoUrl('https://evil.example/owner/repo.git', allowed);
    expect(result).toEqual({
      ok: false,
      reason:
        "I can't clone from evil.example: it isn't on this workspace's list of allowed repository hosts. A workspace admin can add it to the allow-list.",
    });
  });

  it('allows nothing when the allow-list is empty', () => {
    const result = checkRepoUrl('https://github.com/owner/repo.git', []);
    expect(!result.ok && result.reason).toMatch(/no hosts are on the allow-list yet\. A workspace admin can add one/);
  });

  it('ignores case and stray spaces in allow-list entries', () => {
    expect(checkRepoUrl('https://gitlab.com/a/b.git', [' GitLab.com ']).ok).toBe(true);
  });
});
