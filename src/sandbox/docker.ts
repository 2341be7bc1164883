import Docker from 'dockerode';
import { ErrorCode } from '../errors';
import { withDeadline } from '../util/deadline';

/** A Docker client for DOCKER_HOST (unix:///path, tcp://host:port), or the local socket. */
export function createDocker(dockerHost: string | undefined): Docker {
  if (!dockerHost) return new Docker();
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  return new Docker({
    host: url.hostname,
    port: url.port ? Number(url.port) : 2375,
    protocol: url.protocol === 'https:' ? 'https' : 'http',
  });
}

export async function pingDocker(docker: Docker, timeoutMs = 1500): Promise<void> {
  await withDeadline(timeoutMs, 'docker ping failed', ErrorCode.DockerUnavailable, () => docker.ping());
}
