import childProcess from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserInputError } from '../../src/errors';
import { cloneRepo, type RepoPolicy } from '../../src/sandbox/repos';
import { type GitServer, startGitServer } from '../helpers/git-server';

const leftovers = async () => (await readdir(os.tmpdir())).filter((name) => name.startsWith('taskpilot-repo-'));

describe('cloneRepo against a local https git server', () => {
  let server: GitServer;
  let policy: RepoPolicy;
  let before: string[];

  beforeAll(async () => {
    server = await startGitServer();
    policy = { allowedHosts: [server.host], maxBytes: 10 * 1024 * 1024, timeoutMs: 20_000, caFile: server.caFile };
    await server.createRepo('hello.git', { 'README.md': '# Hello\n', 'src/run.sh': '#!/bin/sh\necho hi\n' });
    // Random bytes do not compress: ~200 KB in the pack and again in the work tree.
    await server.createRepo('big.git', { 'blob.txt': randomBytes(150 * 1024).toString('base64') });
    before = await leftovers();
  });

  afterAll(() => server.close());

  afterEach(async () => {
    expect(await leftovers()).toEqual(before);
  });

  it('clones a repository, reads a file, and is readable by nobody until cleaned up', async () => {
    const repo = await cloneRepo(server.url('hello.git'), policy);
    expect(await readFile(path.join(repo.dir, 'README.md'), 'utf8')).toBe('# Hello\n');
    expect(repo.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(repo.bytes).toBeGreaterThan(0);

    for (const target of [path.dirname(repo.dir), repo.dir, path.join(repo.dir, 'src')]) {
      expect((await stat(target)).mode & 0o005).toBe(0o005);
    }
    expect((await stat(path.join(repo.dir, 'README.md'))).mode & 0o004).toBe(0o004);
    if (process.getuid?.() === 0) {
      const read = childProcess.spawnSync('cat', [path.join(repo.dir, 'README.md')], { uid: 65534, gid: 65534 });
      expect(read.stdout.toString()).toBe('# Hello\n');
    }

    await repo.cleanup();
    expect(existsSync(path.dirname(repo.dir))).toBe(false);
  });

  it('refuses a host that is not on the allow-list without running git', async () => {
    const spawn = jest.spyOn(childProcess, 'spawn');
    try {
      const clone = cloneRepo(server.url('hello.git'), { ...policy, allowedHosts: ['github.com'] });
      await expect(clone).rejects.toBeInstanceOf(UserInputError);
      await expect(clone).rejects.toMatchObject({
        userMessage: expect.stringMatching(/^I can't clone from 127\.0\.0\.1:\d+: .*workspace admin can add it/),
      });
      expect(spawn).not.toHaveBeenCalled();
    } finally {
      spawn.mockRestore();
    }
  });

  it('refuses a repository larger than maxBytes and removes what it fetched', async () => {
    const clone = cloneRepo(server.url('big.git'), { ...policy, maxBytes: 50 * 1024 });
    await expect(clone).rejects.toBeInstanceOf(UserInputError);
    await expect(clone).rejects.toMatchObject({
      userMessage: expect.stringMatching(/larger than the 0\.049 MB limit/),
    });
  });

  it('gives a kind message for a repository that does not exist, with git’s words for the logs', async () => {
    const clone = cloneRepo(server.url('missing.git'), policy);
    await expect(clone).rejects.toMatchObject({
      userMessage: `I couldn't clone ${server.url('missing.git')}: repository not found or not reachable.`,
      message: expect.stringMatching(/exited with 128: .*not found/s),
    });
  });

  it('stops a clone from a server that never answers at the timeout', async () => {
    const started = Date.now();
    const clone = cloneRepo(server.url('hang/slow.git'), { ...policy, timeoutMs: 1500 });
    await expect(clone).rejects.toMatchObject({
      userMessage: expect.stringMatching(/took longer than 1\.5 s, so I stopped/),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops a clone when its signal aborts', async () => {
    const controller = new AbortController();
    const hung = server.nextHang();
    const clone = cloneRepo(server.url('hang/cancel.git'), policy, controller.signal);
    await hung;
    controller.abort();
    await expect(clone).rejects.toMatchObject({ userMessage: expect.stringMatching(/because it was cancelled/) });
  });
});
