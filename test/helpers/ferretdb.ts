import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { type EmbeddedMongo, findFerretdb, startEmbeddedMongo } from '../../src/db/embedded';
import { testLogger } from './logger';

/**
 * The FerretDB binary, for tests that start one of their own. Missing, it fails the test instead
 * of skipping it, so CI cannot pass without having run it.
 */
export function requireFerretdb(): string {
  const binary = findFerretdb();
  if (!binary) throw new Error('no FerretDB binary: run `bash scripts/services.sh ferretdb`');
  return binary;
}

export interface OwnFerretdb {
  server: EmbeddedMongo;
  client: MongoClient;
  /** Where FerretDB keeps its SQLite files (one `<database>.sqlite` each). */
  sqliteDir: string;
  stop(): Promise<void>;
}

/**
 * A FerretDB of the test's own (not the shared one of global setup), for tests that compare
 * servers or read FerretDB's data files. It fails, never skips, when the binary is missing:
 * `npm test` builds it first.
 */
export async function startOwnFerretdb(extraFerretdbArgs: string[] = []): Promise<OwnFerretdb> {
  requireFerretdb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-ferretdb-'));
  const server = await startEmbeddedMongo({ dataDir, logger: testLogger(), extraFerretdbArgs });
  const client = await MongoClient.connect(server.uri);
  return {
    server,
    client,
    sqliteDir: path.join(dataDir, 'ferretdb'),
    async stop() {
      await client.close();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
