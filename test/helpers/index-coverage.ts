// Whether a filter the app sent is served by an index declared for its collection. A static
// check, since FerretDB's query plans say nothing about MongoDB's: it asks what MongoDB's planner
// needs to avoid a collection scan and a scan of a whole workspace.
import type { Connection } from 'mongoose';
import type { RecordedCommand } from './command-counter';

export interface DeclaredIndex {
  fields: string[];
  unique: boolean;
}

/** One way a filter can match: field → condition, `$or` branches spread out. */
type Conjunction = Map<string, unknown>;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  Boolean(value) &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  !(value instanceof Date) &&
  (value as { _bsontype?: unknown })._bsontype === undefined;

/** `$and` merged, each `$or` multiplied out into its branches. */
export function conjunctions(filter: Record<string, unknown>): Conjunction[] {
  let result: Conjunction[] = [new Map()];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      const parts = (value as Record<string, unknown>[]).map(conjunctions);
      if (key === '$and') {
        for (const part of parts) result = result.flatMap((left) => part.map((right) => new Map([...left, ...right])));
      } else {
        const branches = parts.flat();
        result = result.flatMap((left) => branches.map((branch) => new Map([...left, ...branch])));
      }
      continue;
    }
    for (const conjunction of result) conjunction.set(key, value);
  }
  return result;
}

/** Operators an index bounds a scan with; `$nin`, `$exists`, `$size`, `$not` do not. */
const BOUNDING = new Set(['$eq', '$in', '$gt', '$gte', '$lt', '$lte', '$all', '$elemMatch']);

/** An index can narrow the scan by this condition. */
function bounds(condition: unknown): boolean {
  if (!isPlainObject(condition)) return true;
  const operators = Object.keys(condition).filter((key) => key.startsWith('$'));
  if (operators.length === 0) return true; // an embedded document compared whole
  // `$ne: null` skips the null-and-missing part of an index (the values still pending, or
  // revoked, are the few); `$ne` of any other value leaves almost everything to scan.
  return operators.some((operator) => BOUNDING.has(operator) || (operator === '$ne' && condition.$ne === null));
}

/** Equality on a value that singles documents out (not null): the fields an index must lead with. */
function isKeyEquality(condition: unknown): boolean {
  if (condition === null) return false;
  if (!isPlainObject(condition)) return true;
  return '$eq' in condition && condition.$eq !== null;
}

/**
 * Served: some index's leading fields are all bounded by the filter, and either they make up the
 * whole of a unique index (a point lookup: other conditions only check one document), or every
 * field the filter fixes to a value is among them (so the scan is no wider than the answer).
 */
export function servedBy(conjunction: Conjunction, indexes: readonly DeclaredIndex[]): DeclaredIndex | undefined {
  const keyFields = [...conjunction].filter(([, condition]) => isKeyEquality(condition)).map(([field]) => field);
  return indexes.find((index) => {
    let prefix = 0;
    while (prefix < index.fields.length) {
      const field = index.fields[prefix] as string;
      if (!conjunction.has(field) || !bounds(conjunction.get(field))) break;
      prefix += 1;
    }
    if (prefix === 0) return false;
    if (index.unique && prefix === index.fields.length) return true;
    const leading = new Set(index.fields.slice(0, prefix));
    return keyFields.every((field) => leading.has(field));
  });
}

/**
 * The indexes the models declare (`schema.indexes()` and `_id`), by collection. Collections no
 * mongoose model owns (Agenda's jobs) declare theirs in code at start-up (Agenda's backend and
 * ReminderSchedule.init); for those the server's own list is read.
 */
export async function declaredIndexes(connection: Connection): Promise<Map<string, DeclaredIndex[]>> {
  const byCollection = new Map<string, DeclaredIndex[]>();
  for (const model of Object.values(connection.models)) {
    const list: DeclaredIndex[] = [{ fields: ['_id'], unique: true }];
    for (const [fields, options] of model.schema.indexes()) {
      list.push({ fields: Object.keys(fields), unique: Boolean((options as { unique?: boolean }).unique) });
    }
    byCollection.set(model.collection.collectionName, list);
  }
  const db = connection.db;
  if (db) {
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (byCollection.has(name)) continue;
      const indexes = await db.collection(name).listIndexes().toArray();
      byCollection.set(
        name,
        indexes.map((index) => ({
          fields: Object.keys(index.key as object),
          unique: Boolean(index.unique) || index.name === '_id_',
        })),
      );
    }
  }
  return byCollection;
}

export interface UnservedQuery {
  command: string;
  collection: string | null;
  filter: Record<string, unknown>;
}

/** The commands' filters (each `$or` branch on its own) that no declared index serves. */
export function unservedQueries(
  commands: readonly RecordedCommand[],
  indexes: ReadonlyMap<string, readonly DeclaredIndex[]>,
): UnservedQuery[] {
  const unserved: UnservedQuery[] = [];
  for (const command of commands) {
    const declared = indexes.get(command.collection ?? '') ?? [];
    for (const filter of command.filters) {
      if (conjunctions(filter).some((conjunction) => !servedBy(conjunction, declared))) {
        unserved.push({ command: command.name, collection: command.collection, filter });
      }
    }
  }
  return unserved;
}
