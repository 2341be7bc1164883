import { ObjectId } from 'mongodb';
import type { RecordedCommand } from '../helpers/command-counter';
import { conjunctions, type DeclaredIndex, servedBy, unservedQueries } from '../helpers/index-coverage';

// The Task model's indexes as schema.indexes() gives them (plus _id), without its channel index.
const TASK_INDEXES: DeclaredIndex[] = [
  { fields: ['_id'], unique: true },
  { fields: ['teamId', 'number'], unique: true },
  { fields: ['teamId', 'assignees', 'status', 'dueAt'], unique: false },
  { fields: ['teamId', 'creatorId', 'status', 'dueAt'], unique: false },
  { fields: ['teamId', 'status', 'dueAt'], unique: false },
  { fields: ['status', 'nextFireAt'], unique: false },
];

const served = (filter: Record<string, unknown>) =>
  conjunctions(filter).every((conjunction) => servedBy(conjunction, TASK_INDEXES) !== undefined);

describe('index coverage of a filter', () => {
  it('serves point lookups by a unique index, whatever else the filter checks', () => {
    expect(served({ _id: new ObjectId(), rev: 3 })).toBe(true);
    expect(served({ teamId: 'T1', number: 42, status: { $in: ['open', 'done'] } })).toBe(true);
  });

  it('serves each $or branch by its own index', () => {
    const mine = {
      teamId: 'T1',
      status: { $in: ['open'] },
      $or: [{ assignees: 'U1' }, { creatorId: 'U1', assignees: { $size: 0 } }],
    };
    expect(conjunctions(mine)).toHaveLength(2);
    expect(served(mine)).toBe(true);
  });

  it('serves a range on a leading field after an equality', () => {
    expect(served({ status: 'open', nextFireAt: { $ne: null, $lte: new Date() } })).toBe(true);
  });

  it('does not serve a filter whose fixed fields an index leaves out: a scan of the whole workspace', () => {
    expect(served({ teamId: 'T1', title: 'water the plants' })).toBe(false);
    expect(served({ teamId: 'T1', number: 42, creatorId: 'U1', channelId: 'C1' })).toBe(true);
    // A channel's list, with the channel index left out: only teamId leads, channelId is not covered.
    expect(served({ teamId: 'T1', channelId: 'C1', status: 'open' })).toBe(false);
  });

  it('does not serve a filter no index leads with, nor an empty one', () => {
    expect(served({ creatorId: 'U1' })).toBe(false);
    expect(served({ nextFireAt: { $lte: new Date() } })).toBe(false);
    expect(served({})).toBe(false);
    // $ne and $nin do not bound a scan, except $ne: null, which skips the unset values.
    expect(served({ status: { $ne: 'deleted' } })).toBe(false);
    expect(served({ status: { $nin: ['deleted'] } })).toBe(false);
    expect(served({ status: { $ne: null } })).toBe(true);
  });

  it('names the commands whose filters are not served, per collection', () => {
    const commands: RecordedCommand[] = [
      { name: 'find', collection: 'tasks', filters: [{ teamId: 'T1', number: 1 }], sort: null },
      { name: 'update', collection: 'tasks', filters: [{ title: 'x' }], sort: null },
      { name: 'find', collection: 'unknown', filters: [{ _id: 1 }], sort: null },
      { name: 'insert', collection: 'tasks', filters: [], sort: null },
    ];
    expect(unservedQueries(commands, new Map([['tasks', TASK_INDEXES]]))).toEqual([
      { command: 'update', collection: 'tasks', filter: { title: 'x' } },
      { command: 'find', collection: 'unknown', filter: { _id: 1 } },
    ]);
  });
});
