import fs from 'node:fs';
import { createDocker } from '../../src/sandbox/docker';
import { SANDBOX_LABEL } from '../../src/sandbox/run-container';

/**
 * Stops the shared database, and fails the run if any sandbox container outlived the suite:
 * every run must remove its container, whatever happened to it.
 */
export default async function globalTeardown(): Promise<void> {
  const shared = globalThis.__TASKPILOT_TEST_MONGO__;
  if (shared) {
    await shared.server.stop();
    fs.rmSync(shared.dataDir, { recursive: true, force: true });
  }
  const docker = createDocker(process.env.DOCKER_HOST);
  const left = await docker
    .listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=true`] } })
    .catch(() => [] as { Id: string }[]);
  if (left.length > 0) {
    await Promise.all(
      left.map((container) =>
        docker
          .getContainer(container.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    throw new Error(`${left.length} sandbox container(s) were left after the test suite (now removed)`);
  }
}
