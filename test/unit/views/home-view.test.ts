import { buildHome, HOME_PAGE_SIZE, type HomeData } from '../../../views/home';
import type { TaskSummary } from '../../../views/task';
import { assertHomeWithinLimits } from '../../helpers/block-kit';

const NOW = new Date('2026-03-04T09:30:00Z');

function task(number: number, overrides: Partial<TaskSummary> = {}): TaskSummary {
  return {
    number,
    title: `task ${number}`,
    creatorId: 'U0ANA',
    assignees: [],
    channelId: null,
    status: 'open',
    dueAt: new Date(NOW.getTime() + number * 3_600_000),
    snoozedUntil: null,
    recurrenceText: null,
    nextFireAt: new Date(NOW.getTime() + number * 3_600_000),
    ...overrides,
  };
}

const base: HomeData = { userId: 'U0ANA', tz: 'Europe/Berlin', now: NOW, mine: [], assigned: [], page: 0 };
const text = (data: HomeData) => JSON.stringify(buildHome(data).blocks);

describe('buildHome', () => {
  it('shows an empty state with the New task button', () => {
    const view = buildHome(base);
    assertHomeWithinLimits(view);
    expect(text(base)).toContain('Nothing open');
    expect(text(base)).toContain('task_new_open');
  });

  it('lists my tasks in the order given, each with a Done / Snooze / Edit menu carrying only its number', () => {
    const data = { ...base, mine: [task(1), task(2)] };
    const view = buildHome(data);
    assertHomeWithinLimits(view);
    const rows = view.blocks.filter((block) => block.type === 'section' && 'accessory' in block && block.accessory);
    expect(rows).toHaveLength(2);
    const menu = JSON.stringify(rows[0]);
    expect(menu).toContain('"action_id":"task_menu_1"');
    for (const value of ['done:1', 'snooze:1:1h', 'snooze:1:tomorrow', 'edit:1']) expect(menu).toContain(value);
    expect(JSON.stringify(view.blocks).indexOf('task 1')).toBeLessThan(JSON.stringify(view.blocks).indexOf('task 2'));
  });

  it('marks overdue and missed tasks and counts the overdue ones', () => {
    const late = task(3, {
      dueAt: new Date('2026-03-03T08:00:00Z'),
      nextFireAt: null,
      missed: { at: new Date('2026-03-03T08:00:00Z'), count: 2, postedLate: true },
    });
    const all = text({ ...base, mine: [late, task(4)] });
    expect(all).toContain('2 open, 1 overdue');
    expect(all).toContain('*overdue*');
    expect(all).toContain('missed while TaskPilot was down (due Tue 3 Mar 2026, 09:00, 2 times)');
  });

  it('shows what I asked others, with their state, and my recurring reminders with the next run', () => {
    const asked = [
      task(5, { assignees: ['U0BEN'] }),
      task(6, { assignees: ['U0CAL'], status: 'done', nextFireAt: null }),
    ];
    const recurring = task(7, { recurrenceText: 'every Monday at 09:00, Europe/Berlin' });
    const all = text({ ...base, mine: [recurring], assigned: asked });
    expect(all).toContain('You asked others');
    expect(all).toContain('→ <@U0BEN>');
    expect(all).toMatch(/#6\* task 6 → <@U0CAL> — :white_check_mark: done/);
    expect(all).toContain('Upcoming recurring reminders');
    expect(all).toContain('every Monday at 09:00, Europe/Berlin — next Wed 4 Mar 2026, 17:30');
  });

  it('shows workspace usage against the budget to admins only', () => {
    const usage = { month: '2026-03', calls: 42, costUsd: 1.5, budgetUsd: 20 };
    expect(text({ ...base, usage })).toContain('42 OpenAI calls · $1.5000 of $20.00 (8 %)');
    expect(text({ ...base, usage: { ...usage, costUsd: 25 } })).toContain('over budget');
    expect(text(base)).not.toContain('Workspace usage');
  });

  it('pages many tasks and stays within 100 blocks and Slack’s text limits, with huge titles', () => {
    const long = 'x'.repeat(600);
    const mine = Array.from({ length: 130 }, (_, index) =>
      task(index + 1, { title: `${long} <@U0BEN> & <b>`, recurrenceText: index % 2 ? 'every day at 09:00' : null }),
    );
    const assigned = Array.from({ length: 40 }, (_, index) => task(200 + index, { title: long, assignees: ['U0BEN'] }));
    const usage = { month: '2026-03', calls: 1, costUsd: 0, budgetUsd: 20 };
    for (const page of [0, 1, 6, 99]) {
      const view = buildHome({ ...base, mine, assigned, page, usage });
      assertHomeWithinLimits(view);
    }
    const first = text({ ...base, mine, page: 0 });
    expect(first).toContain(`Show more (${130 - HOME_PAGE_SIZE})`);
    expect(first).not.toContain('home_page_first');
    const last = text({ ...base, mine, page: 6 });
    expect(last).toContain('#130*');
    expect(last).not.toContain('home_page_next');
    expect(last).toContain('home_page_first');
    // Escaped: what a person typed is never markup, but the mentions they wrote still work.
    const typed = text({ ...base, mine: [task(1, { title: 'ask <@U0BEN> about <b> & co' })] });
    expect(typed).toContain('ask <@U0BEN> about &lt;b&gt; &amp; co');
  });
});
