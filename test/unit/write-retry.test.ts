import { MongoErrorLabel, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { isConnectionError, isUnsent } from '../../src/db/connection';
import { insertOnce, retryOnConnectionLoss, WriteOutcomeUnknownError } from '../../src/db/write-retry';
import { ErrorCode, TaskPilotError, UserInputError } from '../../src/errors';
import { notSaved } from '../../src/tasks/task-commands';

// The driver's own error classes, as it raises them when a server goes away.
const refused = () => {
  const error = new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017');
  error.addErrorLabel(MongoErrorLabel.SystemOverloadedError);
  return error;
};
const lostReply = () => new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed');
const noServer = () => new MongoServerSelectionError('Server selection timed out after 2000 ms', {} as never);
const duplicate = () => new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error' });

/** An operation that fails with each of `failures` in turn, then returns `result`. */
function scripted<T>(failures: Error[], result: T) {
  let calls = 0;
  const run = async () => {
    const failure = failures[calls];
    calls += 1;
    if (failure) throw failure;
    return result;
  };
  return { run, calls: () => calls };
}

describe('telling connection errors apart', () => {
  it('knows which never reached the server', () => {
    expect([refused(), noServer()].map(isUnsent)).toEqual([true, true]);
    expect(isUnsent(lostReply())).toBe(false);
    expect([refused(), lostReply(), noServer()].every(isConnectionError)).toBe(true);
    expect(isConnectionError(duplicate())).toBe(false);
    // Wrapped by us or by Bolt, it is still found.
    expect(isConnectionError(new Error('listener failed', { cause: lostReply() }))).toBe(true);
  });
});

describe('writes through a lost connection', () => {
  it('retries a refused connection until the server is back', async () => {
    const write = scripted([refused(), refused()], 'done');
    await expect(retryOnConnectionLoss(write.run)).resolves.toBe('done');
    expect(write.calls()).toBe(3);
  });

  it('does not retry a whole server-selection wait, nor anything but a connection error', async () => {
    const waited = scripted([noServer()], 'done');
    await expect(retryOnConnectionLoss(waited.run)).rejects.toThrow('Server selection timed out');
    expect(waited.calls()).toBe(1);
    const refusedByServer = scripted([duplicate()], 'done');
    await expect(retryOnConnectionLoss(refusedByServer.run)).rejects.toThrow('E11000');
    expect(refusedByServer.calls()).toBe(1);
  });

  it('gives up within its budget with the connection error itself', async () => {
    const started = Date.now();
    const write = scripted(Array.from({ length: 50 }, refused), 'never');
    await expect(retryOnConnectionLoss(write.run)).rejects.toThrow('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('an insert with its _id fixed', () => {
  it('reads a retry that finds its own document as stored', async () => {
    const insert = scripted([lostReply(), duplicate()], 'never');
    const findLanded = jest.fn(async () => 'the stored task');
    await expect(insertOnce('task create', insert.run, findLanded)).resolves.toBe('the stored task');
    expect(findLanded).toHaveBeenCalledTimes(1);
  });

  it('passes a clash on another unique index on, for the caller to take the next number', async () => {
    const afterLoss = scripted([lostReply(), duplicate()], 'never');
    await expect(insertOnce('task create', afterLoss.run, async () => null)).rejects.toThrow('E11000');
    const plain = scripted([duplicate()], 'never');
    const findLanded = jest.fn(async () => 'unused');
    await expect(insertOnce('task create', plain.run, findLanded)).rejects.toThrow('E11000');
    expect(findLanded).not.toHaveBeenCalled();
  });

  it('says the outcome is unknown when an attempt may have landed, and not when none was sent', async () => {
    const lost = scripted(Array.from({ length: 50 }, lostReply), 'never');
    await expect(insertOnce('task create', lost.run, async () => null)).rejects.toBeInstanceOf(
      WriteOutcomeUnknownError,
    );
    const unsent = scripted(Array.from({ length: 50 }, refused), 'never');
    const error = await insertOnce('task create', unsent.run, async () => null).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MongoNetworkError);
    expect(error).not.toBeInstanceOf(WriteOutcomeUnknownError);
  });
});

describe('what a person is told when a create fails', () => {
  const told = (error: unknown) => {
    const mapped = notSaved(error, '/task');
    return mapped instanceof TaskPilotError ? [mapped.code, mapped.userMessage] : mapped;
  };

  it('not saved when no write reached the server, perhaps saved when one may have', () => {
    expect(told(refused())).toEqual([
      ErrorCode.DatabaseUnavailable,
      "I couldn't save that — the database didn't answer. Please try again in a moment.",
    ]);
    expect(told(new WriteOutcomeUnknownError('task create', lostReply()))).toEqual([
      ErrorCode.DatabaseUnavailable,
      "I lost touch with the database while saving that, so I can't tell whether it was saved. `/task list` shows it if it was; if not, please try again.",
    ]);
  });

  it('leaves other errors as they are', () => {
    const input = new UserInputError('That time has already passed. Pick a time in the future.');
    expect(notSaved(input, '/task')).toBe(input);
    const server = duplicate();
    expect(notSaved(server, '/task')).toBe(server);
  });
});
