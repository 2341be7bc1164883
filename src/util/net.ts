import net from 'node:net';
import { ConstantBackoff, handleWhen, retry } from 'cockatiel';

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/**
 * Resolves once something accepts TCP connections on host:port. `abandon` lets the caller give
 * up early, e.g. when the child process that should listen has already exited.
 */
export async function waitForPort(
  port: number,
  options: { host?: string; timeoutMs?: number; abandon?: () => Error | undefined } = {},
): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  const intervalMs = 50;
  let abandoned: Error | undefined;
  const policy = retry(
    handleWhen(() => abandoned === undefined),
    {
      maxAttempts: Math.ceil((options.timeoutMs ?? 20_000) / intervalMs),
      backoff: new ConstantBackoff(intervalMs),
    },
  );
  await policy.execute(async () => {
    abandoned = options.abandon?.();
    if (abandoned) throw abandoned;
    await tryConnect(port, host);
  });
}
