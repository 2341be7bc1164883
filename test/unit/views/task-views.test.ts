import { buildTaskChanged, buildTaskCreated, buildTaskList, type TaskSummary } from '../../../views/task';
import { assertMessageWithinLimits } from '../../helpers/block-kit';

const NOW = new Date('2026-03-04T09:30:00Z');
const task = (number: number, overrides: Partial<TaskSummary> = {}): TaskSummary => ({
  number,
  title: `task ${number}`,
  creatorId: 'U0ANA',
  assignees: [],
  channelId: null,
  status: 'open',
  dueAt: new Date('2026-03-06T13:00:00Z'),
  snoozedUntil: null,
  recurrenceText: null,
  ...overrides,
});

describe('task message views', () => {
  it('a created task: how it was understood, the next runs, Undo and Edit; time choices when it has no time', () => {
    const created = buildTaskCreated(task(1, { recurrenceText: 'every Friday at 14:00, Europe/Berlin' }), {
      tz: 'Europe/Berlin',
      now: NOW,
      occurrences: [
        new Date('2026-03-06T13:00:00Z'),
        new Date('2026-03-13T13:00:00Z'),
        new Date('2026-04-03T12:00:00Z'),
      ],
      timeChoices: [],
    });
    assertMessageWithinLimits(created.blocks);
    const all = JSON.stringify(created.blocks);
    expect(all).toContain('*Next runs:*');
    expect(all).toContain('after the clocks change');
    expect(all).toContain('"task_undo_create"');
    expect(all).toContain('"task_edit"');

    const todo = buildTaskCreated(task(2, { dueAt: null, title: 'y'.repeat(5000) }), {
      tz: 'UTC',
      now: NOW,
      occurrences: [],
      timeChoices: [
        { label: 'This evening 18:00', at: '2026-03-04T18:00:00Z' },
        { label: 'Tomorrow 09:00', at: '2026-03-05T09:00:00Z' },
      ],
    });
    assertMessageWithinLimits(todo.blocks);
    expect(JSON.stringify(todo.blocks)).toContain('task_set_due_1');
  });

  it('a deleted task offers Undo; a change names who made it and when', () => {
    const deleted = buildTaskChanged(task(3, { status: 'deleted' }), 'deleted', {
      tz: 'Europe/Berlin',
      actorId: 'U0BEN',
      at: NOW,
    });
    assertMessageWithinLimits(deleted.blocks);
    const all = JSON.stringify(deleted.blocks);
    expect(all).toContain('"task_restore"');
    expect(all).toContain('Deleted by <@U0BEN> on Wed 4 Mar 2026, 10:30: *#3* ~task 3~');
  });

  it('a long list stays within limits: whole rows per section, 40 rows and a count of the rest', () => {
    const many = Array.from({ length: 120 }, (_, index) => task(index + 1, { title: 'z'.repeat(400) }));
    const list = buildTaskList(many, { tz: 'UTC', now: NOW, heading: 'Your open tasks' });
    assertMessageWithinLimits(list.blocks);
    expect(JSON.stringify(list.blocks)).toContain('…and 80 more.');
    const empty = buildTaskList([], { tz: 'UTC', now: NOW, heading: 'Your open tasks' });
    assertMessageWithinLimits(empty.blocks);
  });
});
