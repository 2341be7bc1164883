import { type Collection, type Document, Double, Int32, Long, ObjectId } from 'mongodb';
import { type OwnFerretdb, startOwnFerretdb } from '../../helpers/ferretdb';

/**
 * Our FerretDB patch pushes filters down to SQLite (scripts/ferretdb/). It may narrow the rows
 * SQLite hands back, never drop one MongoDB would match. The reference is the same binary with
 * `--test-disable-pushdown`, which filters everything in Go: the same randomised documents and
 * queries must give identical results on both.
 */

/** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.PUSHDOWN_SEED ?? 20261202);
const DOCUMENTS = 400;
const QUERIES = 500;
/** a to d are indexed (value indexes and element tables); e is not, and takes the other path. */
const FIELDS = ['a', 'b', 'c', 'd', 'e'] as const;

const oids = [
  new ObjectId('65a0c0ffee0000000000000a'),
  new ObjectId('65a0c0ffee0000000000000b'),
  new ObjectId('000000000000000000000000'),
];
const dates = [
  new Date(0),
  new Date(-86_400_000),
  new Date('2026-03-29T01:00:00Z'),
  new Date('2026-03-29T01:00:00.001Z'),
  new Date('2026-12-02T09:00:00Z'),
  new Date(999_999_999_999),
];

/** Scalars that look alike in SQL but differ in MongoDB, edge cases of each type among them. */
const scalars: unknown[] = [
  '',
  'a',
  'abc',
  'ABC',
  '[',
  '[x',
  '\\',
  '[]',
  'null',
  '1',
  'true',
  'a<b&c',
  'é',
  'e\u0301',
  '😀',
  '\u2028',
  "it's",
  '"quoted"',
  oids[0]?.toHexString(),
  new Int32(0),
  new Int32(1),
  new Int32(-1),
  new Int32(42),
  new Int32(2147483647),
  Long.fromString('1099511627776'),
  Long.fromString('9007199254740993'),
  Long.fromString('-5'),
  Long.fromNumber(dates[4]?.getTime() ?? 0),
  new Double(0),
  new Double(-0),
  new Double(1),
  new Double(42),
  new Double(0.1),
  new Double(0.30000000000000004),
  new Double(1.5),
  new Double(-2.5),
  new Double(1e21),
  new Double(1e-7),
  new Double(2 ** 53),
  new Double(9007199254740992),
  new Double(1.7e12 + 0.5),
  new Double(dates[4]?.getTime() ?? 0),
  true,
  false,
  null,
  ...oids,
  ...dates,
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function randomValue(random: () => number, depth = 0): unknown {
  const roll = random();
  if (depth === 0 && roll < 0.12) {
    const length = Math.floor(random() * 4);
    // FerretDB stores no nested arrays; an array holding a document stands in for depth.
    return Array.from({ length }, () => (random() < 0.1 ? { x: pick(random, scalars) } : pick(random, scalars)));
  }
  if (depth === 0 && roll < 0.15) return { x: pick(random, scalars) };
  return pick(random, scalars);
}

/** Values of every type SQL can order like FerretDB's sort; doubles and arrays are not among them. */
const sortable = scalars.filter((value) => !(value instanceof Double));

function randomDocument(random: () => number, index: number): Document {
  const doc: Document = { _id: random() < 0.8 ? new ObjectId() : `id-${index}` };
  for (const field of FIELDS) {
    if (random() < 0.85) doc[field] = randomValue(random);
  }
  // s holds only sortable values, so that sorts on it take the pushed-down order.
  if (random() < 0.9) doc.s = pick(random, sortable);
  return doc;
}

const numbers: unknown[] = scalars.filter(
  (value) => value instanceof Int32 || value instanceof Long || value instanceof Double,
);

/**
 * Half the values a query names are taken from what the documents hold, array elements
 * especially, so that matches through arrays and across types are common, not lucky.
 */
function queryValue(random: () => number, docs: Document[], field: string): unknown {
  if (random() < 0.5) return pick(random, scalars);
  const held = pick(random, docs)[field];
  if (Array.isArray(held)) return held.length > 0 ? pick(random, held) : pick(random, scalars);
  return held === undefined ? null : held;
}

function randomCondition(random: () => number, docs: Document[], field: string): unknown {
  const value = () => queryValue(random, docs, field);
  const roll = random();
  if (roll < 0.3) return value();
  if (roll < 0.4) return { $eq: value() };
  if (roll < 0.5) return null;
  if (roll < 0.62) {
    const length = 1 + Math.floor(random() * 4);
    return { $in: Array.from({ length }, value) };
  }
  const bound = () => {
    const held = value();
    if (held instanceof Date || numbers.includes(held)) return held;
    return random() < 0.5 ? pick(random, numbers) : pick(random, dates);
  };
  const ops = ['$gt', '$gte', '$lt', '$lte'] as const;
  if (roll < 0.85) return { [pick(random, ops)]: bound() };
  if (roll < 0.93) return { [pick(random, ['$gt', '$gte'])]: bound(), [pick(random, ['$lt', '$lte'])]: bound() };
  // Conditions the patch leaves to Go, mixed in to check they do not narrow anything.
  return pick(random, [{ $ne: value() }, { $exists: random() < 0.5 }, { $regex: '^a' }]);
}

/** Random filters have any shape; the server, not the compiler, is what they test. */
type AnyFilter = Document;

function randomFilter(random: () => number, docs: Document[], depth = 0): AnyFilter {
  const filter: AnyFilter = {};
  const roll = random();
  if (depth === 0 && roll < 0.1) {
    return { $or: [randomFilter(random, docs, 1), randomFilter(random, docs, 1)] };
  }
  if (depth === 0 && roll < 0.15) {
    const field = pick(random, FIELDS);
    return {
      $and: [randomFilter(random, docs, 1), randomFilter(random, docs, 1)],
      [field]: queryValue(random, docs, field),
    };
  }
  if (roll < 0.2) {
    const id = random() < 0.5 ? pick(random, ['id-3', 'id-7', 'nope']) : new ObjectId();
    return random() < 0.5 ? { _id: id } : { _id: { $in: [id, 'id-11', 'id-12'] } };
  }
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    const field = pick(random, FIELDS);
    filter[field] = randomCondition(random, docs, field);
  }
  return filter;
}

async function idsMatching(collection: Collection, filter: AnyFilter): Promise<string[]> {
  const docs = await collection.find(filter, { projection: { _id: 1 } }).toArray();
  return docs.map((doc) => String(doc._id)).sort();
}

describe('FerretDB filter pushdown against the same server without pushdown', () => {
  let patched: OwnFerretdb;
  let reference: OwnFerretdb;
  let docs: Document[];

  beforeAll(async () => {
    [patched, reference] = await Promise.all([startOwnFerretdb(), startOwnFerretdb(['--test-disable-pushdown'])]);
    const random = generator(SEED);
    docs = Array.from({ length: DOCUMENTS }, (_, index) => randomDocument(random, index));
    for (const server of [patched, reference]) {
      const collection = server.client.db('differential').collection('docs');
      await collection.insertMany(docs.map((doc) => ({ ...doc })));
      // The value indexes these create are what the pushed-down SQL runs on.
      await collection.createIndexes([
        { key: { a: 1 } },
        { key: { b: 1, c: 1 } },
        { key: { c: -1 } },
        { key: { d: 1, a: 1 } },
      ]);
    }
  });

  afterAll(async () => {
    await Promise.all([patched?.stop(), reference?.stop()]);
  });

  it(`finds exactly the same documents for ${QUERIES} random filters (seed ${SEED})`, async () => {
    const random = generator(SEED + 1);
    const patchedDocs = patched.client.db('differential').collection('docs');
    const referenceDocs = reference.client.db('differential').collection('docs');
    let nonEmpty = 0;
    for (let i = 0; i < QUERIES; i++) {
      const filter = randomFilter(random, docs);
      const [got, want] = await Promise.all([idsMatching(patchedDocs, filter), idsMatching(referenceDocs, filter)]);
      if (got.join() !== want.join()) {
        throw new Error(
          `query ${i} differs: ${JSON.stringify(filter)}\npatched: ${got.length}, reference: ${want.length}`,
        );
      }
      if (want.length > 0) nonEmpty++;
    }
    // The filters must actually select something, or the comparison proves little.
    expect(nonEmpty).toBeGreaterThan(QUERIES / 3);
  });

  it('finds the same documents in the same order for random sorts with a limit', async () => {
    const random = generator(SEED + 3);
    const patchedDocs = patched.client.db('differential').collection('docs');
    const referenceDocs = reference.client.db('differential').collection('docs');
    for (let i = 0; i < 300; i++) {
      const filter = random() < 0.5 ? {} : randomFilter(random, docs);
      const direction = () => (random() < 0.5 ? 1 : -1);
      // _id last: ties have no order of their own, on either server.
      const keys = random() < 0.7 ? ['s'] : [pick(random, ['s', ...FIELDS]), pick(random, ['s', ...FIELDS])];
      const sort: Record<string, 1 | -1> = {};
      for (const key of keys) sort[key] = direction();
      sort._id = direction();
      const limit = 1 + Math.floor(random() * 30);
      const skip = random() < 0.2 ? Math.floor(random() * 10) : 0;
      const ordered = async (collection: Collection) =>
        (await collection.find(filter, { sort, limit, skip, projection: { _id: 1 } }).toArray()).map((doc) =>
          String(doc._id),
        );
      const [got, want] = await Promise.all([ordered(patchedDocs), ordered(referenceDocs)]);
      if (got.join() !== want.join()) {
        throw new Error(`sort ${i} differs: ${JSON.stringify({ filter, sort, limit, skip })}\n${got}\n${want}`);
      }
    }
  });

  it('counts, updates and deletes the same documents, and finds the same after updates', async () => {
    const random = generator(SEED + 2);
    for (let i = 0; i < 80; i++) {
      const filter = randomFilter(random, docs);
      const field = pick(random, FIELDS);
      // Rewrites a field (arrays among the values), which the element tables must follow.
      const rewrite = { $set: { [field]: randomValue(random) } };
      const rewritten = randomFilter(random, docs);
      const after = randomFilter(random, docs);
      const results = await Promise.all(
        [patched, reference].map(async (server) => {
          const collection = server.client.db('differential').collection('docs');
          const count = await collection.countDocuments(filter);
          const updated = await collection.updateMany(filter, { $inc: { touched: 1 } });
          const one = await collection.findOneAndUpdate(filter, { $set: { last: i } }, { sort: { _id: 1 } });
          const changed = await collection.updateMany(rewritten, rewrite);
          const found = await idsMatching(collection, after);
          return {
            count,
            updated: updated.modifiedCount,
            one: one ? String(one._id) : null,
            changed: changed.modifiedCount,
            found,
          };
        }),
      );
      expect(results[0]).toEqual(results[1]);
    }
    for (let i = 0; i < 10; i++) {
      const filter = randomFilter(random, docs);
      const [a, b] = await Promise.all(
        [patched, reference].map((server) => server.client.db('differential').collection('docs').deleteMany(filter)),
      );
      expect(a?.deletedCount).toBe(b?.deletedCount);
    }
    const [left, right] = await Promise.all(
      [patched, reference].map((server) =>
        server.client.db('differential').collection('docs').find({}).sort({ _id: 1 }).toArray(),
      ),
    );
    expect(left).toEqual(right);
  });
});
