import path from 'node:path';
import { connectMongo } from '../db/connection';
import { type EmbeddedMongo, startEmbeddedMongo } from '../db/embedded';
import { createLogger } from '../logger';
import { DeadLetters } from '../reminders/dead-letters';
import { Scheduler } from '../scheduler/scheduler';
import { SlackPoster } from '../slack/poster';
import { WorkspaceClients } from '../slack/workspace-clients';

export type DlqAction = { kind: 'list'; all: boolean; json: boolean } | { kind: 'retry' | 'drop'; id: string };

type Out = Pick<NodeJS.WriteStream, 'write'>;

/**
 * `taskpilot dlq list|retry|drop`: the dead-letter queue for operators. Connects to MONGODB_URI,
 * or to the embedded database when no TaskPilot is running on it. A retry puts the job back on
 * the schedule (any running worker picks it up); a drop closes the entry.
 */
export async function runDlq(
  action: DlqAction,
  env: NodeJS.ProcessEnv = process.env,
  out: Out = process.stdout,
  err: Out = process.stderr,
): Promise<number> {
  const logger = createLogger({ level: 'silent', pretty: false });
  let embedded: EmbeddedMongo | undefined;
  let uri = env.MONGODB_URI?.trim();
  try {
    if (!uri) {
      embedded = await startEmbeddedMongo({ dataDir: path.resolve(env.TASKPILOT_DATA_DIR ?? '.taskpilot'), logger });
      uri = embedded.uri;
    }
    const connection = await connectMongo({ uri, logger });
    try {
      const letters = new DeadLetters(connection, {
        clients: new WorkspaceClients({ apiUrl: undefined }),
        poster: new SlackPoster({ logger }),
        logger,
      });
      if (action.kind === 'list') {
        const entries = await letters.list(action.all ? 'all' : 'open');
        for (const entry of entries) {
          const row = {
            id: String(entry._id),
            state: entry.state,
            job: entry.jobName,
            team: entry.teamId,
            failures: entry.failCount,
            error: entry.error,
            at: entry.createdAt.toISOString(),
            data: entry.jobData,
          };
          out.write(
            action.json
              ? `${JSON.stringify(row)}\n`
              : `${row.id}  ${row.at}  ${row.state.padEnd(7)}  ${row.job}  ${row.team ?? '-'}  ×${row.failures}  ${row.error.slice(0, 100)}\n`,
          );
        }
        if (!action.json && entries.length === 0) out.write('The dead-letter queue is empty.\n');
        return 0;
      }
      const entry = await letters.take(action.id, action.kind === 'retry' ? 'retried' : 'dropped');
      if (!entry) {
        err.write(`taskpilot dlq: no open dead letter with id ${action.id} (\`taskpilot dlq list\` shows them)\n`);
        return 1;
      }
      if (action.kind === 'retry') {
        const db = connection.db;
        if (!db) throw new Error('no database');
        const scheduler = new Scheduler({ db, logger });
        await scheduler.agenda.ready;
        await scheduler.agenda.now(entry.jobName, entry.jobData);
        out.write(`Retrying ${entry.jobName} (${action.id}); a running worker picks it up at its next poll.\n`);
      } else {
        out.write(`Dropped ${action.id}.\n`);
      }
      return 0;
    } finally {
      await connection.close();
    }
  } catch (error) {
    err.write(`taskpilot dlq: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await embedded?.stop();
  }
}
