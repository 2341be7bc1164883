import { limitsFrom } from '../agent/run-executor';
import { ConfigError, loadSandboxConfig } from '../config';
import { createDocker, pingDocker } from '../sandbox/docker';
import { createMasker } from '../sandbox/mask';
import { runInSandbox } from '../sandbox/run-container';

export interface SandboxRunOptions {
  image?: string;
  timeout?: number;
  memory?: number;
  network: 'none' | 'bridge';
}

function fail(message: string): number {
  process.stderr.write(`taskpilot sandbox run: ${message}\n`);
  return 2;
}

/**
 * `taskpilot sandbox run -- <command…>`: one command through the same hardened runner agent runs
 * use, printed as one JSON object with its output masked and capped. For operators, so images
 * and networks are not held to the workspace allow-lists.
 */
export async function runSandboxCommand(
  command: string[],
  options: SandboxRunOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (command.length === 0) return fail('name a command after --, e.g. taskpilot sandbox run -- echo hello');
  let config: ReturnType<typeof loadSandboxConfig>;
  try {
    config = loadSandboxConfig(env);
  } catch (error) {
    return fail(error instanceof ConfigError ? error.problems.join('; ') : String(error));
  }
  const docker = createDocker(config.sandbox.dockerHost);
  try {
    await pingDocker(docker, 5000);
  } catch {
    return fail(`no Docker engine answers at ${config.sandbox.dockerHost ?? 'the local socket'}`);
  }
  const mask = createMasker(config.secretValues);
  try {
    const result = await runInSandbox(docker, {
      image: options.image ?? config.sandbox.image,
      command,
      network: options.network,
      limits: {
        ...limitsFrom(config.sandbox),
        memoryMb: options.memory ?? config.sandbox.memoryMb,
        timeoutSeconds: options.timeout ?? config.sandbox.timeoutSeconds,
      },
    });
    const { exitCode, stdout, stderr, timedOut, oomKilled, durationMs, truncated } = result;
    process.stdout.write(
      `${JSON.stringify({ exitCode, stdout: mask(stdout), stderr: mask(stderr), timedOut, oomKilled, durationMs, truncated })}\n`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return fail(/no such image/i.test(message) ? `${message} (run scripts/services.sh docker to build it)` : message);
  }
}
