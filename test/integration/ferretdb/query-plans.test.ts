import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Collection, Document, Filter } from 'mongodb';
import { type OwnFerretdb, startOwnFerretdb } from '../../helpers/ferretdb';

/**
 * What our FerretDB patches are for (scripts/ferretdb/): SQLite serves lookups from an index
 * instead of reading the whole table. The plans come from FerretDB's own `explain` (the SELECT it
 * runs for a find) and, for the statements FerretDB writes by _id, from SQLite itself on the data
 * file.
 */

const DB = 'plans';

/**
 * The lines of a plan that read a table: SCAN or SEARCH, leaving out the scans of json_each, which
 * walk the elements of one row's array.
 */
function tableReads(plan: string[]): string[] {
  return plan.filter((line) => /SEARCH|SCAN/.test(line) && !/SCAN \S+ VIRTUAL TABLE/.test(line));
}

/** A read served by an index: of the table, of an element table, or by rowid from one. */
const INDEX_SEARCH = /SEARCH \S+ USING (?:COVERING )?INDEX|SEARCH \S+ USING INTEGER PRIMARY KEY \(rowid=\?\)/;

/** FerretDB's explain: the SQLite query plan lines of the SELECT behind a find. */
async function planOf(server: OwnFerretdb, filter: Filter<Document>): Promise<string[]> {
  const explained = await server.client.db(DB).command({ explain: { find: 'tasks', filter } });
  const planner = explained.queryPlanner as { Plan?: string[] };
  return planner.Plan ?? [];
}

/** The plan of one SQL statement, from SQLite's shell on FerretDB's data file. */
function sqlitePlan(server: OwnFerretdb, sql: string): string {
  return execFileSync(
    'sqlite3',
    ['-readonly', path.join(server.sqliteDir, `${DB}.sqlite`), `EXPLAIN QUERY PLAN ${sql}`],
    {
      encoding: 'utf8',
    },
  );
}

function tableOf(server: OwnFerretdb, collection: string): string {
  const sql = `SELECT table_name FROM _ferretdb_collections WHERE name = '${collection}'`;
  return execFileSync('sqlite3', ['-readonly', path.join(server.sqliteDir, `${DB}.sqlite`), sql], {
    encoding: 'utf8',
  }).trim();
}

describe('query plans on the patched FerretDB', () => {
  let server: OwnFerretdb;
  let tasks: Collection;

  beforeAll(async () => {
    server = await startOwnFerretdb();
    tasks = server.client.db(DB).collection('tasks');
    await tasks.createIndexes([
      { key: { teamId: 1, number: 1 }, unique: true },
      { key: { teamId: 1, assignees: 1, status: 1, dueAt: 1 } },
      { key: { status: 1, nextFireAt: 1 } },
    ]);
    const start = Date.UTC(2026, 11, 2);
    await tasks.insertMany(
      Array.from({ length: 2000 }, (_, i) => ({
        teamId: `T${i % 4}`,
        number: i,
        assignees: [`U${i % 40}`],
        status: i % 3 ? 'open' : 'done',
        dueAt: new Date(start + i * 60_000),
        nextFireAt: i % 3 ? new Date(start + i * 60_000) : null,
      })),
    );
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves a find by _id from the _id index', async () => {
    const one = await tasks.findOne({ number: 7 });
    const plan = await planOf(server, { _id: one?._id });
    expect(plan.join('\n')).toMatch(/SEARCH \S+ USING INDEX \S+__id_ \(<expr>=\?\)/);
    expect(tableReads(plan)).toHaveLength(1);
  });

  it('serves the statements that write by _id from the _id index, which the old expression missed', () => {
    const table = tableOf(server, 'tasks');
    // FerretDB's UpdateAll and DeleteAll statements with the patched _id expression (IDColumn)…
    const update = sqlitePlan(
      server,
      `UPDATE "${table}" SET _ferretdb_sjson = '{}' WHERE _ferretdb_sjson->"_id" = '"x"'`,
    );
    const remove = sqlitePlan(server, `DELETE FROM "${table}" WHERE _ferretdb_sjson->"_id" IN ('"x"', '"y"')`);
    expect(update).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    expect(remove).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    // …and with upstream's, which SQLite cannot match to the index.
    const upstream = sqlitePlan(
      server,
      `UPDATE "${table}" SET _ferretdb_sjson = '{}' WHERE _ferretdb_sjson->'$._id' = '"x"'`,
    );
    expect(upstream).toMatch(/SCAN/);
  });

  it.each<[string, Filter<Document>, RegExp]>([
    ['a task by its number', { teamId: 'T1', number: 5 }, /USING INDEX \S+_teamId_1_number_1/],
    [
      'a task by its number among the live ones',
      { teamId: 'T1', number: 5, status: { $in: ['open', 'done'] } },
      /USING INDEX \S+_teamId_1_number_1/,
    ],
    [
      "a person's open tasks in due order",
      { teamId: 'T1', assignees: 'U3', status: 'open', dueAt: { $gte: new Date(0) } },
      /USING INDEX \S+_teamId_1_assignees_1_status_1_dueAt_1/,
    ],
    [
      "a person's tasks through the element table of assignees",
      { teamId: 'T1', assignees: 'U3', status: 'open' },
      /SEARCH _ferretdb_e_\S+ USING COVERING INDEX \S+_v \(v=\?\)/,
    ],
    [
      'reminders coming due',
      { status: 'open', nextFireAt: { $lte: new Date(Date.UTC(2026, 11, 3)) } },
      /USING INDEX \S+_status_1_nextFireAt_1/,
    ],
    ['tasks without a reminder', { status: 'open', nextFireAt: null }, /USING INDEX \S+_status_1_nextFireAt_1/],
  ])('serves %s from an index, every branch', async (_label, filter, index) => {
    const plan = await planOf(server, filter);
    const searches = tableReads(plan);
    expect(searches.length).toBeGreaterThan(0);
    // Every branch of the OR is an index search; none reads the whole table.
    for (const line of searches) expect(line).toMatch(INDEX_SEARCH);
    expect(searches.some((line) => index.test(line))).toBe(true);
  });

  it("serves Agenda's job lock from its index", async () => {
    const jobs = server.client.db(DB).collection('agendaJobs');
    await jobs.createIndex(
      { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 },
      { name: 'findAndLockNextJobIndex' },
    );
    await jobs.insertMany(
      Array.from({ length: 500 }, (_, i) => ({
        name: i % 2 ? 'reminder.fire' : 'agent.run',
        nextRunAt: new Date(i * 1000),
      })),
    );
    const now = new Date();
    const explained = await server.client.db(DB).command({
      explain: {
        find: 'agendaJobs',
        filter: {
          name: 'reminder.fire',
          disabled: { $ne: true },
          $or: [{ lockedAt: { $eq: null }, nextRunAt: { $lte: now } }, { lockedAt: { $lte: new Date(0) } }],
        },
      },
    });
    const plan = tableReads((explained.queryPlanner as { Plan?: string[] }).Plan ?? []);
    expect(plan.length).toBeGreaterThan(0);
    for (const line of plan) expect(line).toMatch(INDEX_SEARCH);
    expect(plan.some((line) => /USING INDEX \S+findAndLockNextJobIndex/.test(line))).toBe(true);
  });
});
