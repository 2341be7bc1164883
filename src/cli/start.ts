import { type Config, ConfigError, loadConfig } from '../config';
import { createLogger, type Logger } from '../logger';
import { reportError } from '../observability/sentry';
import type { Role } from '../roles';
import { type Runtime, startRuntime } from '../runtime';

/** A stop must finish well inside the 10 s an orchestrator gives between SIGTERM and SIGKILL. */
const SHUTDOWN_DEADLINE_MS = 9000;

function fail(line: string): never {
  process.stderr.write(`taskpilot: ${line}\n`);
  process.exit(1);
}

export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

/** SIGTERM/SIGINT stop the runtime gracefully; a second signal or the deadline forces the exit. */
export function installShutdownHandlers(runtime: Runtime, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      logger.error('graceful shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    void runtime.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** A bug must not take the process down silently, nor leave it running in an unknown state. */
function installCrashHandlers(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
    reportError(reason, { kind: 'unhandledRejection' });
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    reportError(error, { kind: 'uncaughtException' });
    process.exit(1);
  });
}

export async function runStart(role: Role): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel });
  installCrashHandlers(logger);
  let runtime: Runtime;
  try {
    runtime = await startRuntime({ config, role, logger });
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    fail(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  installShutdownHandlers(runtime, logger);
  logger.info({ role, port: runtime.port }, 'taskpilot started');
}
