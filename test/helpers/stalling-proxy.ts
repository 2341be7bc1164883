import net, { type AddressInfo } from 'node:net';
import { FakeSlack } from '../../src/playground/fake-slack';
import type { Runtime } from '../../src/runtime';
import { serverUri, uniqueDbName } from './db';
import { startTestRuntime } from './runtime';

/** BSON keys of the commands a `stall()` lets through: pings and the driver's handshakes. */
const LIGHT_COMMANDS = ['ping', 'hello', 'ismaster', 'isMaster'].map((name) => Buffer.from(`${name}\0`));

/**
 * A TCP proxy in front of a MongoDB-wire server that can stop passing requests on, as a swamped
 * server would for queued work: `stall()` holds every message but pings and handshakes (work
 * sent on a connection then occupies it), `stall({ all: true })` holds everything, `resume()`
 * passes on what was held.
 */
export class StallingProxy {
  private stalled: 'none' | 'work' | 'all' = 'none';
  private readonly connections = new Set<{ held: Buffer[]; client: net.Socket; upstream: net.Socket }>();

  private constructor(private readonly server: net.Server) {}

  static async start(target: { host: string; port: number }): Promise<StallingProxy> {
    let proxy: StallingProxy | undefined;
    const server = net.createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new StallingProxy(server);
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  stall(options: { all?: boolean } = {}): void {
    this.stalled = options.all ? 'all' : 'work';
  }

  resume(): void {
    this.stalled = 'none';
    for (const connection of this.connections) {
      for (const chunk of connection.held.splice(0)) connection.upstream.write(chunk);
    }
  }

  async stop(): Promise<void> {
    for (const { client, upstream } of this.connections) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private holds(chunk: Buffer): boolean {
    if (this.stalled === 'none') return false;
    return this.stalled === 'all' || !LIGHT_COMMANDS.some((name) => chunk.includes(name));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target.port, target.host);
    const connection = { held: [] as Buffer[], client, upstream };
    this.connections.add(connection);
    client.on('data', (chunk: Buffer) => {
      // Once something is held on a connection, what follows it waits behind it, in order.
      if (connection.held.length > 0 || this.holds(chunk)) connection.held.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      this.connections.delete(connection);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('close', close);
      socket.on('error', close);
    }
  }
}

export interface RuntimeBehindProxy {
  proxy: StallingProxy;
  slack: FakeSlack;
  runtime: Runtime & { baseUrl: string };
  /** Lets held work through, then drops the database and stops everything. */
  stop(): Promise<void>;
}

/**
 * A web runtime on a database of its own that reaches the test server through a StallingProxy,
 * with a fake Slack (`prepare` can script it before the app starts).
 */
export async function startRuntimeBehindProxy(
  label: string,
  options: { maxPoolSize?: number; prepare?: (slack: FakeSlack) => void } = {},
): Promise<RuntimeBehindProxy> {
  const server = new URL(serverUri());
  const proxy = await StallingProxy.start({ host: server.hostname, port: Number(server.port) });
  const slack = await FakeSlack.start();
  options.prepare?.(slack);
  const uri = new URL(server);
  uri.host = `127.0.0.1:${proxy.port}`;
  uri.pathname = `/${uniqueDbName(label)}`;
  if (options.maxPoolSize) uri.searchParams.set('maxPoolSize', String(options.maxPoolSize));
  const runtime = await startTestRuntime({ mongoUri: uri.toString(), slackApiUrl: slack.apiUrl, role: 'web' });
  return {
    proxy,
    slack,
    runtime,
    async stop() {
      proxy.resume();
      await runtime.connection.dropDatabase().catch(() => undefined);
      await runtime.shutdown();
      await proxy.stop();
      await slack.stop();
    },
  };
}
