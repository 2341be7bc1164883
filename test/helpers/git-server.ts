/**
 * A local https git server for clone tests: a self-signed certificate for 127.0.0.1 made with the
 * openssl CLI, and bare repositories served by `git http-backend` (smart HTTP). Plain static
 * "dumb" HTTP is not enough: git refuses shallow clones over it ("dumb http transport does not
 * support shallow capabilities"). Requests under /hang/ are accepted and never answered.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitServer {
  url(name: string): string;
  /** "127.0.0.1:PORT", the allow-list entry for this server. */
  host: string;
  caFile: string;
  createRepo(name: string, files: Record<string, string>): Promise<void>;
  /** Resolves when the next request under /hang/ has arrived (and will never be answered). */
  nextHang(): Promise<void>;
  close(): Promise<void>;
}

// biome-ignore format: pairs of -c options
const AUTHOR = [
  '-c', 'user.name=TaskPilot Tests',
  '-c', 'user.email=tests@taskpilot.invalid',
  '-c', 'commit.gpgsign=false',
  '-c', 'init.defaultBranch=main',
];

export async function startGitServer(): Promise<GitServer> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'taskpilot-git-server-'));
  const served = path.join(tmp, 'repos');
  await mkdir(served);
  const env = {
    PATH: process.env.PATH,
    HOME: tmp,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
    GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  };
  const git = (args: string[], cwd = tmp) => run('git', [...AUTHOR, ...args], { cwd, env });

  const caFile = path.join(tmp, 'cert.pem');
  const keyFile = path.join(tmp, 'key.pem');
  // biome-ignore format: openssl options in pairs
  await run('openssl', [
    'req', '-x509', '-nodes', '-days', '1',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', caFile,
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);

  const hangs = new EventTarget();
  const server = https.createServer({ key: await readFile(keyFile), cert: await readFile(caFile) }, (req, res) => {
    if (req.url?.startsWith('/hang/')) hangs.dispatchEvent(new Event('hang'));
    else serveGit(req, res, { ...env, GIT_PROJECT_ROOT: served, GIT_HTTP_EXPORT_ALL: '1' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    caFile,
    url: (name) => `https://${host}/${name}`,
    async createRepo(name, files) {
      const work = await mkdtemp(path.join(tmp, 'work-'));
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(work, file)), { recursive: true });
        await writeFile(path.join(work, file), content);
      }
      await git(['init', '-q'], work);
      await git(['add', '-A'], work);
      await git(['commit', '-q', '-m', 'Initial commit'], work);
      await git(['clone', '-q', '--bare', work, path.join(served, name)]);
      await git(['update-server-info'], path.join(served, name));
      await rm(work, { recursive: true, force: true });
    },
    nextHang: () => new Promise((resolve) => hangs.addEventListener('hang', () => resolve(), { once: true })),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Runs `git http-backend` as a CGI script for one request. */
function serveGit(req: IncomingMessage, res: ServerResponse, env: Record<string, string | undefined>): void {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      ...env,
      REQUEST_METHOD: req.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'],
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'],
      GIT_PROTOCOL: req.headers['git-protocol'] as string | undefined,
    },
  });
  cgi.stdin.on('error', () => undefined);
  req.pipe(cgi.stdin);
  let head: Buffer | undefined = Buffer.alloc(0);
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (!head) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
    head = undefined;
  });
  cgi.stdout.on('end', () => {
    if (head) res.writeHead(502);
    res.end();
  });
}
