import { MongoClient } from 'mongodb';
import { type OwnFerretdb, startOwnFerretdb } from '../../helpers/ferretdb';

/**
 * MongoDB applies findAndModify, update and delete to each document atomically, and TaskPilot
 * relies on it: task numbers come from a counter's $inc, changes are conditional on the revision
 * read, Agenda locks a job with a conditional update. FerretDB read and wrote in two steps, so two
 * writers could interleave (scripts/ferretdb/0005). Many connections race here on one document.
 */
describe('read-modify-write on FerretDB is atomic', () => {
  let server: OwnFerretdb;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startOwnFerretdb();
    // Many connections, so the writes really run at once.
    client = await MongoClient.connect(server.server.uri, { maxPoolSize: 32 });
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('gives every concurrent $inc of a counter its own value', async () => {
    const counters = client.db('atomic').collection<{ _id: string; seq: number }>('counters');
    const values = await Promise.all(
      Array.from({ length: 200 }, () =>
        counters
          .findOneAndUpdate({ _id: 'T1' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' })
          .catch(() =>
            // Two first upserts may both insert; MongoDB fails one on the unique _id too.
            counters.findOneAndUpdate({ _id: 'T1' }, { $inc: { seq: 1 } }, { returnDocument: 'after' }),
          ),
      ),
    );
    const seqs = values.map((doc) => doc?.seq).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect((await counters.findOne({ _id: 'T1' }))?.seq).toBe(200);
  });

  it('lets exactly one of many updates conditional on the same revision win', async () => {
    const tasks = client.db('atomic').collection<{ _id: string; rev: number; winners: number }>('tasks');
    await tasks.insertOne({ _id: 'task', rev: 0, winners: 0 });
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 2
          ? tasks.updateOne({ _id: 'task', rev: 0 }, { $set: { rev: 1 }, $inc: { winners: 1 } })
          : tasks
              .findOneAndUpdate({ _id: 'task', rev: 0 }, { $set: { rev: 1 }, $inc: { winners: 1 } })
              .then((doc) => ({ modifiedCount: doc ? 1 : 0 })),
      ),
    );
    expect(results.reduce((sum, result) => sum + result.modifiedCount, 0)).toBe(1);
    expect((await tasks.findOne({ _id: 'task' }))?.winners).toBe(1);
  });

  it('deletes a document once, however many try', async () => {
    const jobs = client.db('atomic').collection<{ _id: string }>('jobs');
    await jobs.insertOne({ _id: 'job' });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2
          ? jobs.deleteOne({ _id: 'job' }).then((result) => result.deletedCount)
          : jobs.findOneAndDelete({ _id: 'job' }).then((doc) => (doc ? 1 : 0)),
      ),
    );
    expect(results.reduce((sum, n) => sum + n, 0)).toBe(1);
  });
});
