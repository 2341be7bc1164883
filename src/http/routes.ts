import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from '../observability/metrics';
import { checkReadiness, type ReadinessCheck } from './readiness';

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/** The operational routes served beside /slack/events: liveness, readiness and metrics. */
export function operationalRoutes(checks: ReadinessCheck[], metrics: Metrics): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        metrics.httpRequests.inc({ route: '/healthz', status: '200' });
        send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void checkReadiness(checks).then((report) => {
          const status = report.ready ? 200 : 503;
          metrics.httpRequests.inc({ route: '/readyz', status: String(status) });
          const failing = Object.entries(report.checks)
            .filter(([, result]) => !result.ok)
            .map(([name]) => name);
          send(
            res,
            status,
            'application/json',
            JSON.stringify({ status: report.ready ? 'ready' : 'not ready', failing, checks: report.checks }),
          );
        });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        void metrics.registry.metrics().then(
          (text) => {
            metrics.httpRequests.inc({ route: '/metrics', status: '200' });
            send(res, 200, metrics.registry.contentType, text);
          },
          (error: Error) => {
            metrics.httpRequests.inc({ route: '/metrics', status: '500' });
            send(res, 500, 'text/plain', `metrics unavailable: ${error.message}`);
          },
        );
      },
    },
  ];
}
