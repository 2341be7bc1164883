import { buildAssigned, buildChannelTask, buildCreatorNotice } from '../../../views/notices';
import { buildTaskChanged, type TaskSummary } from '../../../views/task';
import { assertMessageWithinLimits } from '../../helpers/block-kit';

const task: TaskSummary = {
  number: 42,
  title: 'Renew <the> domain & DNS',
  creatorId: 'U0ANA',
  assignees: ['U0BEN'],
  channelId: 'C0OPS',
  status: 'open',
  dueAt: new Date('2026-03-06T13:00:00Z'),
  snoozedUntil: null,
  recurrenceText: null,
  nextFireAt: new Date('2026-03-06T13:00:00Z'),
  permalink: 'https://test.slack.com/archives/C0SRC/p1772600000000200',
};
const huge = { ...task, title: 'x'.repeat(5000), recurrenceText: 'r'.repeat(2000) };

describe('notice views', () => {
  it('tells an assignee who gave them what, when, with Done / Snooze / Edit carrying the number', () => {
    const message = buildAssigned(task, { byId: 'U0ANA', tz: 'Europe/Berlin' });
    assertMessageWithinLimits(message.blocks);
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('<@U0ANA> assigned you *#42* Renew &lt;the&gt; domain &amp; DNS');
    expect(all).toContain('Fri 6 Mar 2026, 14:00 (Europe/Berlin)');
    expect(all).toContain('From this message');
    for (const id of ['"task_done"', '"task_snooze"', '"task_edit"']) expect(all).toContain(id);
    expect(all).toContain('"value":"42:1h"');
    expect(message.text).toBe('New task for you: #42 Renew <the> domain & DNS');
    assertMessageWithinLimits(buildAssigned(huge, { byId: 'U0ANA', tz: 'UTC' }).blocks);
  });

  it('announces a channel task with who it is for and who made it', () => {
    const message = buildChannelTask(task, { tz: 'Europe/Berlin' });
    assertMessageWithinLimits(message.blocks);
    expect(JSON.stringify(message.blocks)).toContain('*Who:* <@U0BEN> · made by <@U0ANA>');
    assertMessageWithinLimits(buildChannelTask(huge, { tz: 'UTC' }).blocks);
  });

  it('tells a creator that someone else completed, deleted or ended their task, and when', () => {
    const at = new Date('2026-03-04T09:30:00Z');
    const done = JSON.stringify(buildCreatorNotice(task, 'done', { actorId: 'U0BEN', tz: 'Europe/Berlin', at }).blocks);
    expect(done).toContain('<@U0BEN> completed *#42* ~Renew &lt;the&gt; domain &amp; DNS~ on Wed 4 Mar 2026, 10:30');
    expect(JSON.stringify(buildCreatorNotice(task, 'deleted', { actorId: 'U0BEN', tz: 'UTC', at }).blocks)).toContain(
      'deleted',
    );
    assertMessageWithinLimits(buildCreatorNotice(huge, 'stopped', { actorId: 'U0BEN', tz: 'UTC', at }).blocks);
  });

  it('a clicked Done replaces the message: struck through, by whom and when', () => {
    const closed = { ...task, status: 'done' as const };
    const message = buildTaskChanged(closed, 'done', {
      tz: 'Europe/Berlin',
      actorId: 'U0BEN',
      at: new Date('2026-03-04T09:30:00Z'),
    });
    assertMessageWithinLimits(message.blocks);
    expect(JSON.stringify(message.blocks)).toContain(
      ':white_check_mark: Done by <@U0BEN> on Wed 4 Mar 2026, 10:30: *#42* ~Renew &lt;the&gt; domain &amp; DNS~',
    );
  });
});
