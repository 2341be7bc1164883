import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../../src/db/embedded';
import { requireFerretdb } from '../../helpers/ferretdb';
import { testLogger } from '../../helpers/logger';

/**
 * Element tables (scripts/ferretdb/0002) find a document by one element of an array field, such
 * as a task by one of its assignees. They must follow the collection through what SQLite and
 * FerretDB do to it: VACUUM (compact with force) renumbers rowids, and a table can be left without
 * its triggers by a drop that stopped half-way or by a FerretDB without the patch. (SQLite says
 * VACUUM may renumber the rowids of tables like FerretDB's; the 1.24 build here kept them, so the
 * first test checks the result after a VACUUM, not that one renumbered.)
 */
describe('element tables on the patched FerretDB', () => {
  let dataDir: string;
  let server: EmbeddedMongo;
  let client: MongoClient;

  const start = async () => {
    server = await startEmbeddedMongo({ dataDir, logger: testLogger(), extraFerretdbArgs: [] });
    client = await MongoClient.connect(server.uri);
  };
  const stop = async () => {
    await client.close();
    await server.stop();
  };
  const docs = () => client.db('elements').collection<{ _id: number; people: string[] }>('docs');
  const idsWith = async (person: string) =>
    (await docs().find({ people: person }).toArray()).map((doc) => doc._id).sort((a, b) => a - b);
  const sqlite = (sql: string) =>
    execFileSync('sqlite3', [path.join(dataDir, 'ferretdb', 'elements.sqlite'), sql], { encoding: 'utf8' });

  beforeAll(async () => {
    requireFerretdb();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskpilot-elements-'));
    await start();
    await docs().createIndex({ people: 1 });
    await docs().insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: i, people: [`U${i % 7}`, `U${i % 11}`] })));
  });

  afterAll(async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('still finds documents by an element after deletes and a VACUUM', async () => {
    await docs().deleteMany({ _id: { $in: Array.from({ length: 100 }, (_, i) => i * 2) } });
    await client.db('elements').command({ compact: 'docs', force: true });
    const expected = Array.from({ length: 200 }, (_, i) => i).filter(
      (i) => i % 2 === 1 && (i % 7 === 3 || i % 11 === 3),
    );
    expect(await idsWith('U3')).toEqual(expected);
  });

  it('rebuilds an element table left without its triggers when FerretDB starts', async () => {
    // A FerretDB without the patch would have written without the triggers.
    const triggers = sqlite("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '_ferretdb_e_%'")
      .split('\n')
      .filter(Boolean);
    expect(triggers.length).toBeGreaterThan(0);
    await stop();
    for (const trigger of triggers) sqlite(`DROP TRIGGER "${trigger}"`);
    await start();
    await docs().insertOne({ _id: 1000, people: ['U3', 'Unew'] });
    expect(await idsWith('Unew')).toEqual([1000]);
    expect(await idsWith('U3')).toContain(1000);
  });
});
