import type { AddressInfo } from 'node:net';
import {
  App,
  type Authorize,
  type CustomRoute,
  HTTPReceiver,
  type InstallationStore,
  type Receiver,
  SocketModeReceiver,
} from '@slack/bolt';
import type { Connection } from 'mongoose';
import { registerListeners } from '../../listeners';
import type { Config } from '../config';
import { ErrorCode, TaskPilotError } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { Services } from '../services';
import { CacheLoadTimeout } from '../util/stale-cache';
import { BUSY_TEXT } from './admission-middleware';
import { boltLogger } from './bolt-logger';
import { registerErrorHandler } from './error-handler';
import { mongoInstallationStore } from './installation-store';
import { measuredReceiver } from './measured-receiver';
import { BOT_SCOPES } from './scopes';

export interface SlackAppOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  routes: CustomRoute[];
  connection: Connection;
  services: Services;
}

export interface SlackApp {
  app: App;
  /** Starts serving; returns the HTTP port actually bound (useful with PORT=0). */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Bolt's authorize from the (cached) installation store. A first lookup the database did not
 * answer in time fails the request, which was acknowledged already: the error handler then
 * tells the person we are busy, through the response URL where there is one.
 */
function authorizeFrom(store: InstallationStore): Authorize<boolean> {
  return async (source) => {
    const installation = await store
      .fetchInstallation({
        teamId: source.teamId,
        enterpriseId: source.enterpriseId,
        isEnterpriseInstall: source.isEnterpriseInstall,
      })
      .catch((error: unknown) => {
        if (!(error instanceof CacheLoadTimeout)) throw error;
        throw new TaskPilotError(ErrorCode.DatabaseUnavailable, error.message, BUSY_TEXT, { cause: error });
      });
    return {
      botToken: installation.bot?.token,
      botId: installation.bot?.id,
      botUserId: installation.bot?.userId,
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
    };
  };
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, logger, metrics, routes } = options;
  const slack = config.slack;
  const boltLog = boltLogger(logger);

  // The OAuth installer and the Socket Mode client make Web API calls of their own; Bolt gives
  // them installerOptions.clientOptions, not the App's clientOptions.
  const installerOptions = {
    port: config.port,
    directInstall: true,
    clientOptions: { slackApiUrl: slack.apiUrl },
  };
  let installationStore: InstallationStore | undefined;
  let oauth: Record<string, unknown> = {};
  if (slack.auth.kind === 'oauth') {
    if (!config.encryptionKey) {
      throw new TaskPilotError(ErrorCode.Config, 'TASKPILOT_ENCRYPTION_KEY is required with OAuth');
    }
    // The services' store: its cache is written through by this process's installs and revokes.
    installationStore =
      options.services.installations ?? mongoInstallationStore(options.connection, config.encryptionKey, { logger });
    oauth = {
      clientId: slack.auth.clientId,
      clientSecret: slack.auth.clientSecret,
      stateSecret: slack.auth.stateSecret,
      scopes: [...BOT_SCOPES],
      installationStore,
    };
  }

  let boundPort = config.port;
  let inner: Receiver;
  let startInner: () => Promise<void>;
  if (slack.appToken) {
    const socket = new SocketModeReceiver({
      appToken: slack.appToken,
      logger: boltLog,
      customRoutes: routes,
      installerOptions,
      ...oauth,
    });
    inner = socket;
    startInner = async () => {
      await socket.start();
    };
  } else {
    const http = new HTTPReceiver({
      signingSecret: slack.signingSecret as string,
      endpoints: '/slack/events',
      customRoutes: routes,
      logger: boltLog,
      bodyLimit: '1mb',
      installerOptions,
      ...oauth,
    });
    inner = http;
    startInner = async () => {
      const server = await http.start(config.port);
      boundPort = (server.address() as AddressInfo).port;
    };
  }

  const app = new App({
    receiver: measuredReceiver(inner, metrics, logger),
    ...(slack.auth.kind === 'single'
      ? { token: slack.auth.botToken }
      : { authorize: authorizeFrom(installationStore as InstallationStore) }),
    logger: boltLog,
    extendedErrorHandler: true,
    // No conversation store: nothing reads conversation state, and Bolt's in-memory default looks
    // every request's channel up and builds an Error (with its stack) for each miss, which was a
    // measurable share of the CPU of a request flood.
    convoStore: false,
    clientOptions: {
      slackApiUrl: slack.apiUrl,
      logger: boltLog,
    },
  });
  registerErrorHandler(app, logger);
  registerListeners(app, options.services, metrics);

  return {
    app,
    async start() {
      await startInner();
      logger.info({ port: boundPort, mode: slack.appToken ? 'socket' : 'http' }, 'slack app listening');
      return boundPort;
    },
    async stop() {
      await inner.stop();
    },
  };
}
