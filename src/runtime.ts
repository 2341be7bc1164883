import type { Server } from 'node:http';
import os from 'node:os';
import type Docker from 'dockerode';
import type { Connection } from 'mongoose';
import { defineJobs, schedulePeriodicJobs } from '../jobs';
import { composeServices, workerName } from './compose';
import type { Config } from './config';
import { connectMongo, redactUri } from './db/connection';
import { type EmbeddedMongo, startEmbeddedMongo } from './db/embedded';
import { ErrorCode, TaskPilotError } from './errors';
import { mongoReadiness } from './http/mongo-readiness';
import { startOpsServer } from './http/ops-server';
import type { ReadinessCheck } from './http/readiness';
import { operationalRoutes } from './http/routes';
import type { Logger } from './logger';
import { createMetrics, type Metrics } from './observability/metrics';
import { flushSentry, initSentry, type SentryOptions } from './observability/sentry';
import { type Role, runsJobs, servesSlack } from './roles';
import { createDocker, pingDocker } from './sandbox/docker';
import { reapOrphans } from './sandbox/reaper';
import { Scheduler } from './scheduler/scheduler';
import type { Services } from './services';
import { createSlackApp, type SlackApp } from './slack/app';

export interface RuntimeOptions {
  config: Config;
  role: Role;
  logger: Logger;
  sentryTransport?: SentryOptions['transport'];
  /** Bounds for a graceful stop; the whole stop stays under 10 s with the defaults. */
  drainTimeoutMs?: number;
  /** The clock listeners use; tests fix it. */
  now?: () => Date;
  /** Extra job definitions (tests that need a job of their own). */
  defineExtraJobs?: (scheduler: Scheduler) => void;
}

export interface Runtime {
  role: Role;
  port: number;
  connection: Connection;
  scheduler: Scheduler;
  services: Services;
  metrics: Metrics;
  docker: Docker | undefined;
  embedded: EmbeddedMongo | undefined;
  slack: SlackApp | undefined;
  /** Stops taking requests, drains jobs (bounded), closes MongoDB. Safe to call twice. */
  shutdown(): Promise<void>;
}

function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts TaskPilot for a role: database, scheduler, sandbox engine and the HTTP endpoint. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, role, logger } = options;
  const metrics = createMetrics();
  initSentry({ dsn: config.sentryDsn, transport: options.sentryTransport }, logger);

  // Everything started so far, stopped in reverse: by shutdown, and by a start that fails
  // part-way, which must not leave an embedded database or a scheduler behind.
  const started: { name: string; stop: () => Promise<unknown> }[] = [];
  const stopStarted = async () => {
    for (const step of [...started].reverse()) {
      await step.stop().catch((error) => logger.warn({ err: error }, `${step.name} stop failed`));
    }
  };
  let embedded: EmbeddedMongo | undefined;
  try {
    let uri = config.mongo.uri;
    if (!uri) {
      const server = await startEmbeddedMongo({
        dataDir: config.mongo.dataDir,
        poolSize: config.mongo.embeddedPool,
        logger,
      });
      embedded = server;
      started.push({ name: 'embedded database', stop: () => server.stop() });
      uri = server.uri;
    }
    logger.info({ uri: redactUri(uri), embedded: embedded?.kind }, 'connecting to mongodb');

    // The embedded server restarts in well under a second; a request during a longer outage is
    // told at once. A server of the operator's own gets the default, which rides out an election.
    const connection = await connectMongo({ uri, logger, serverSelectionTimeoutMs: embedded ? 1500 : undefined });
    started.push({ name: 'mongodb', stop: () => connection.close() });
    const db = connection.db;
    if (!db) throw new TaskPilotError(ErrorCode.DatabaseUnavailable, 'mongodb connection has no database');

    const now = options.now ?? (() => new Date());
    const { jobs } = config;
    const scheduler = new Scheduler({
      db,
      logger,
      name: workerName(),
      processEveryMs: jobs.pollMs,
      maxConcurrency: jobs.concurrency + 10,
      defaultLockLifetimeMs: jobs.lockLifetimeMs,
    });
    const services = await composeServices({ config, connection, scheduler, logger, now });
    // Stopped before the database: notifications and home refreshes still running get to finish.
    started.push({ name: 'background work', stop: () => services.background.close() });
    defineJobs(scheduler.agenda, services, jobs, config.agents);
    options.defineExtraJobs?.(scheduler);
    if (runsJobs(role)) {
      await scheduler.start();
      await schedulePeriodicJobs(scheduler.agenda);
      services.dispatcher.start();
      // Both drain at once, within one bound: a reminder still going when it runs out keeps its
      // delivery lease, and another worker's backstop job takes it over.
      const drainMs = options.drainTimeoutMs ?? 5000;
      started.push({
        name: 'scheduler',
        stop: () => Promise.all([services.dispatcher.stop(drainMs), scheduler.shutdown(drainMs)]),
      });
    }

    const docker = runsJobs(role) && config.sandbox.enabled ? createDocker(config.sandbox.dockerHost) : undefined;
    // Readiness pings on a connection of its own, so a busy pool is not reported as an outage.
    const readiness = mongoReadiness(uri);
    started.push({ name: 'readiness connection', stop: () => readiness.close() });
    const checks: ReadinessCheck[] = [
      {
        name: readiness.check.name,
        // A restart of the embedded server takes well under the ping's deadline, which would wait
        // it out: while it is down, say so at once.
        check: async () => {
          embedded?.supervisor?.assertRunning();
          await readiness.check.check();
        },
      },
      { name: 'scheduler', check: async () => scheduler.assertHealthy(runsJobs(role)) },
    ];
    if (docker) {
      checks.push({ name: 'docker', check: () => pingDocker(docker) });
      // Containers a killed worker on this host left behind, and any past its deadline.
      await reapOrphans(docker, { hostname: os.hostname(), pid: process.pid, now: Date.now() }, logger).catch((error) =>
        logger.warn({ err: error }, 'could not look for orphaned sandbox containers'),
      );
    }
    const routes = operationalRoutes(checks, metrics);

    let slack: SlackApp | undefined;
    let port: number;
    if (servesSlack(role)) {
      const app = createSlackApp({ config, logger, metrics, routes, connection, services });
      port = await app.start();
      slack = app;
      started.push({ name: 'slack receiver', stop: () => app.stop() });
    } else {
      const ops = await startOpsServer(routes, config.port);
      port = ops.port;
      started.push({ name: 'health endpoint', stop: () => closeServer(ops.server, 1000) });
      logger.info({ port }, 'worker health endpoint listening');
    }

    let stopping: Promise<void> | undefined;
    const shutdown = () => {
      stopping ??= (async () => {
        logger.info({ role }, 'shutting down');
        await stopStarted();
        await flushSentry(1000);
        logger.info('shutdown complete');
      })();
      return stopping;
    };

    return { role, port, connection, scheduler, services, metrics, docker, embedded, slack, shutdown };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
