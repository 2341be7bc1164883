import { type NewTask, TaskForbiddenError, TaskNotFoundError, TaskService } from '../../../src/tasks/task-service';
import { openTestDatabase, type TestDatabase } from '../../helpers/db';

const TEAM = 'T0TASKS';
const creator = { teamId: TEAM, userId: 'U0CREATOR', isAdmin: false };
const assignee = { teamId: TEAM, userId: 'U0ASSIGNEE', isAdmin: false };
const stranger = { teamId: TEAM, userId: 'U0STRANGER', isAdmin: false };
const admin = { teamId: TEAM, userId: 'U0ADMIN', isAdmin: true };
const otherWorkspaceAdmin = { teamId: 'T0OTHER', userId: 'U0CREATOR', isAdmin: true };

function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return {
    teamId: TEAM,
    creatorId: creator.userId,
    title: 'water the plants',
    assignees: [],
    channelId: null,
    dueAt: new Date('2026-03-05T08:00:00Z'),
    tz: 'Europe/Berlin',
    recurrence: null,
    source: { kind: 'command', channelId: 'C0GENERAL' },
    ...overrides,
  };
}

describe('TaskService on the MongoDB-wire server', () => {
  let database: TestDatabase;
  let service: TaskService;

  beforeAll(async () => {
    database = await openTestDatabase('task_service');
    service = new TaskService(database.connection, () => new Date('2026-03-04T09:30:00Z'));
    await service.init();
  });
  afterAll(() => database.cleanup());

  it('numbers tasks per workspace from an atomic counter, also under concurrent creates', async () => {
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, index) => service.create(newTask({ title: `task ${index}` }))),
    );
    const numbers = created.map((task) => task.number).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(20);
    expect(numbers[0]).toBe(1);
    expect(numbers[19]).toBe(20);
    const elsewhere = await service.create(newTask({ teamId: 'T0OTHER' }));
    expect(elsewhere.number).toBe(1);
  });

  it('stores what it was given and refuses an empty or over-long title without writing', async () => {
    const task = await service.create(
      newTask({
        title: '  Call   Mom ',
        assignees: ['U0ASSIGNEE', 'U0ASSIGNEE'],
        recurrence: { rrule: 'RRULE:FREQ=DAILY', tz: 'Europe/Berlin' },
      }),
    );
    expect(task).toMatchObject({
      title: 'Call Mom',
      assignees: ['U0ASSIGNEE'],
      status: 'open',
      recurrence: { tz: 'Europe/Berlin' },
    });
    const before = await database.connection.db?.collection('tasks').countDocuments();
    await expect(service.create(newTask({ title: '   ' }))).rejects.toThrow(/What should the task be/);
    await expect(service.create(newTask({ title: 'x'.repeat(501) }))).rejects.toThrow(/up to 500/);
    expect(await database.connection.db?.collection('tasks').countDocuments()).toBe(before);
  });

  it('keeps operator-looking text as plain text', async () => {
    const task = await service.create(newTask({ title: '{"$gt": ""}' }));
    expect((await service.get(TEAM, task.number)).title).toBe('{"$gt": ""}');
  });

  it('lets the creator, an assignee and an admin change a task, and nobody else', async () => {
    const task = await service.create(newTask({ assignees: [assignee.userId] }));
    await expect(service.complete(stranger, task.number)).rejects.toBeInstanceOf(TaskForbiddenError);
    await expect(service.complete(stranger, task.number)).rejects.toThrow(/Only the person who created/);
    expect((await service.complete(assignee, task.number)).status).toBe('done');
    expect((await service.reopen(creator, task.number)).status).toBe('open');
    expect((await service.complete(admin, task.number)).completedBy).toBe(admin.userId);
  });

  it('never reaches into another workspace', async () => {
    const task = await service.create(newTask());
    await expect(service.complete(otherWorkspaceAdmin, task.number + 1000)).rejects.toBeInstanceOf(TaskNotFoundError);
    const mine = await service.create(newTask({ teamId: 'T0OTHER', title: 'theirs' }));
    // Same number in the other workspace is a different task.
    const ours = await service.get(TEAM, mine.number);
    expect(ours.teamId).toBe(TEAM);
    expect(ours.title).not.toBe('theirs');
  });

  it('refuses unknown numbers clearly', async () => {
    await expect(service.complete(creator, 99_999)).rejects.toThrow("I can't find task #99999 in this workspace");
  });

  it('snoozes into the future only, and keeps a series’ rule', async () => {
    const rrule = 'DTSTART;TZID=Europe/Berlin:20260305T090000\nRRULE:FREQ=DAILY';
    const task = await service.create(newTask({ recurrence: { rrule, tz: 'Europe/Berlin' } }));
    await expect(service.snooze(creator, task.number, new Date('2026-03-04T09:00:00Z'))).rejects.toThrow(
      /already passed/,
    );
    const snoozed = await service.snooze(creator, task.number, new Date('2026-03-04T10:30:00Z'));
    expect(snoozed.snoozedUntil?.toISOString()).toBe('2026-03-04T10:30:00.000Z');
    expect(snoozed.recurrence?.rrule).toBe(rrule);
    // The snoozed occurrence (5 March 09:00) moved; the series goes on from 6 March.
    expect(snoozed.nextFireAt?.toISOString()).toBe('2026-03-04T10:30:00.000Z');
    expect(snoozed.dueAt?.toISOString()).toBe('2026-03-06T08:00:00.000Z');
  });

  it('soft-deletes (gone from lists and lookups) and restores', async () => {
    const task = await service.create(newTask({ title: 'to delete' }));
    await service.remove(creator, task.number);
    await expect(service.get(TEAM, task.number)).rejects.toBeInstanceOf(TaskNotFoundError);
    const raw = await database.connection.db?.collection('tasks').findOne({ teamId: TEAM, number: task.number });
    expect(raw).toMatchObject({ status: 'deleted', deletedBy: creator.userId });
    expect(
      (await service.list({ teamId: TEAM, scope: 'all', userId: creator.userId })).map((t) => t.number),
    ).not.toContain(task.number);
    await expect(service.restore(stranger, task.number)).rejects.toBeInstanceOf(TaskForbiddenError);
    expect((await service.restore(creator, task.number)).status).toBe('open');
  });

  it('edits fields, clearing a snooze when the time changes', async () => {
    const task = await service.create(newTask());
    await service.snooze(creator, task.number, new Date('2026-03-04T12:00:00Z'));
    const edited = await service.edit(creator, task.number, {
      title: 'water the cactus',
      dueAt: new Date('2026-03-06T08:00:00Z'),
    });
    expect(edited).toMatchObject({ title: 'water the cactus', snoozedUntil: null });
    expect(edited.dueAt?.toISOString()).toBe('2026-03-06T08:00:00.000Z');
    await expect(service.edit(stranger, task.number, { title: 'mine now' })).rejects.toBeInstanceOf(TaskForbiddenError);
  });

  describe('lists', () => {
    const team = 'T0LISTS';
    const me = 'U0ME';
    beforeAll(async () => {
      const make = (title: string, extra: Partial<NewTask>) =>
        service.create(newTask({ teamId: team, creatorId: me, title, ...extra }));
      await make('mine later', { dueAt: new Date('2026-03-10T08:00:00Z') });
      await make('mine sooner', { dueAt: new Date('2026-03-05T08:00:00Z') });
      await make('mine untimed', { dueAt: null });
      await make('for ana', { assignees: ['U0ANA'] });
      await make('in general', { channelId: 'C0GENERAL' });
      await service.create(newTask({ teamId: team, creatorId: 'U0ANA', title: 'ana gave me', assignees: [me] }));
      await service.create(newTask({ teamId: team, creatorId: 'U0ANA', title: 'ana alone' }));
    });

    it('mine: assigned to me or made by me for myself, in due order with untimed last', async () => {
      const titles = (await service.list({ teamId: team, scope: 'mine', userId: me })).map((task) => task.title);
      // Equal due times fall back to creation order (the number).
      expect(titles).toEqual(['mine sooner', 'in general', 'ana gave me', 'mine later', 'mine untimed']);
    });

    it('assigned by me, a channel’s, someone else’s, and the whole workspace', async () => {
      expect((await service.list({ teamId: team, scope: 'assigned_by_me', userId: me })).map((t) => t.title)).toEqual([
        'for ana',
      ]);
      expect(
        (await service.list({ teamId: team, scope: 'channel', userId: me, channelId: 'C0GENERAL' })).map(
          (t) => t.title,
        ),
      ).toEqual(['in general']);
      expect(
        (await service.list({ teamId: team, scope: 'mine', userId: me, otherUserId: 'U0ANA' }))
          .map((t) => t.title)
          .sort(),
      ).toEqual(['ana alone', 'for ana']);
      expect(await service.list({ teamId: team, scope: 'all', userId: me })).toHaveLength(7);
    });
  });
});
