import type { TaskDocument } from '../../../src/db/models/task';
import { TaskNotifier } from '../../../src/notify/task-notifier';
import { withoutBotMention } from '../../../src/slack/message-requests';
import type { TaskChangeEvent } from '../../../src/tasks/task-service';

const notifier = new TaskNotifier({
  // noticesFor is pure: the Slack side is never reached here.
  clients: {} as never,
  poster: {} as never,
  profiles: {} as never,
  background: {} as never,
  logger: {} as never,
  now: () => new Date('2026-03-04T09:30:00Z'),
});

function task(overrides: Record<string, unknown> = {}): TaskDocument {
  return {
    teamId: 'T0',
    number: 7,
    title: 'Book the venue',
    notes: null,
    creatorId: 'U0ANA',
    assignees: [],
    channelId: null,
    status: 'open',
    dueAt: null,
    snoozedUntil: null,
    recurrence: null,
    nextFireAt: null,
    closedOccurrence: null,
    missed: null,
    nagMinutes: null,
    completedBy: null,
    tz: 'Europe/Berlin',
    source: { kind: 'command', channelId: 'C0HERE', threadTs: null, permalink: null },
    ...overrides,
  } as unknown as TaskDocument;
}

const actor = (userId: string) => ({ teamId: 'T0', userId, isAdmin: false });
const to = (event: TaskChangeEvent) => notifier.noticesFor(event).map((notice) => notice.to);

describe('TaskNotifier: who hears about a change', () => {
  it('new assignees other than the actor, on create and when an edit adds them', () => {
    const created = task({ assignees: ['U0ANA', 'U0BEN'] });
    expect(to({ kind: 'created', task: created, before: null, actor: actor('U0ANA') })).toEqual([{ userId: 'U0BEN' }]);
    const edited = task({ assignees: ['U0BEN', 'U0CAL'] });
    expect(to({ kind: 'edited', task: edited, before: task({ assignees: ['U0BEN'] }), actor: actor('U0ANA') })).toEqual(
      [{ userId: 'U0CAL' }],
    );
  });

  it('a channel task is announced in its channel, unless it was made there', () => {
    expect(to({ kind: 'created', task: task({ channelId: 'C0OPS' }), before: null, actor: actor('U0ANA') })).toEqual([
      { channel: 'C0OPS' },
    ]);
    expect(to({ kind: 'created', task: task({ channelId: 'C0HERE' }), before: null, actor: actor('U0ANA') })).toEqual(
      [],
    );
  });

  it('the creator, when someone else completes, deletes or ends the task; nobody about their own change', () => {
    const done = task({ status: 'done', assignees: ['U0BEN'] });
    expect(to({ kind: 'done', task: done, before: task(), actor: actor('U0BEN') })).toEqual([{ userId: 'U0ANA' }]);
    expect(to({ kind: 'deleted', task: done, before: task(), actor: actor('U0BEN') })).toEqual([{ userId: 'U0ANA' }]);
    expect(to({ kind: 'done', task: done, before: task(), actor: actor('U0ANA') })).toEqual([]);
    // One occurrence of a recurring task closed: the task goes on, nobody is told.
    expect(to({ kind: 'done', task: task({ assignees: ['U0BEN'] }), before: task(), actor: actor('U0BEN') })).toEqual(
      [],
    );
    expect(to({ kind: 'snoozed', task: task(), before: task(), actor: actor('U0BEN') })).toEqual([]);
  });
});

describe('withoutBotMention', () => {
  it('drops mentions of TaskPilot itself and keeps everyone else’s', () => {
    expect(withoutBotMention('<@U0BOT> remind <@U0BEN> to call at 5pm', 'U0BOT')).toBe(
      'remind <@U0BEN> to call at 5pm',
    );
    expect(withoutBotMention('hey <@U0BOT|taskpilot>   list', 'U0BOT')).toBe('hey list');
    expect(withoutBotMention('  list ', null)).toBe('list');
  });
});
