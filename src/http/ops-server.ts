import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';
import type { ParamsIncomingMessage } from '@slack/bolt/dist/receivers/ParamsIncomingMessage';

/**
 * A plain HTTP server for the operational routes, used by worker processes, which serve no
 * Slack traffic but still need health, readiness and metrics for their orchestrator.
 */
export async function startOpsServer(routes: CustomRoute[], port: number): Promise<{ server: Server; port: number }> {
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const route = routes.find((candidate) => {
      const methods = Array.isArray(candidate.method) ? candidate.method : [candidate.method];
      return candidate.path === pathname && methods.includes(req.method ?? 'GET');
    });
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    route.handler(Object.assign(req, { params: {} }) as ParamsIncomingMessage, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
