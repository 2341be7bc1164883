import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../src/db/connection';
import { testLogger } from './logger';

/** The server global setup started, or the one MONGODB_URI names. */
export function serverUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run the tests through jest (global setup starts FerretDB)');
  return uri;
}

/** A database name no other test file uses: each test owns its data. */
export function uniqueDbName(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  return `tp_${clean}_${randomBytes(4).toString('hex')}`;
}

export function uriForDb(dbName: string, base = serverUri()): string {
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  return url.toString();
}

export interface TestDatabase {
  dbName: string;
  uri: string;
  connection: Connection;
  /** Drops the database and closes the connection. */
  cleanup(): Promise<void>;
}

export async function openTestDatabase(label: string): Promise<TestDatabase> {
  const dbName = uniqueDbName(label);
  const uri = uriForDb(dbName);
  const connection = await connectMongo({ uri, logger: testLogger() });
  return {
    dbName,
    uri,
    connection,
    async cleanup() {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}
