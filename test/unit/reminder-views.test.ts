import type { KnownBlock } from '@slack/types';
import { buildDeadLetterNotice, buildDeliveryProblem, buildDigest, buildReminder } from '../../views/reminder';
import type { TaskSummary } from '../../views/task';
import { parseDoneValue, parseSnoozeValue } from '../../views/task-actions';
import { assertWithinBlockKitLimits, elementWithAction } from './../helpers/block-kit';

const summary = (overrides: Partial<TaskSummary> = {}): TaskSummary => ({
  number: 7,
  title: 'Water <the> plants & <@U0ANNA>',
  creatorId: 'U0ME',
  assignees: [],
  channelId: null,
  status: 'open',
  dueAt: new Date('2027-01-11T08:00:00Z'),
  snoozedUntil: null,
  recurrenceText: 'every day at 09:00, Europe/Berlin',
  permalink: 'https://test.slack.com/archives/C1/p1',
  ...overrides,
});

const actionIds = (blocks: KnownBlock[]) =>
  blocks.flatMap((block) => (block.type === 'actions' ? block.elements.map((element) => element.action_id) : []));

describe('reminder views', () => {
  it('a reminder carries Done, Snooze and Edit with the task number and its firing, escapes the title, links the source', () => {
    const message = buildReminder(summary(), {
      tz: 'Europe/Berlin',
      occurrence: new Date('2027-01-11T08:00:00Z'),
      firedAt: new Date('2027-01-11T08:00:00Z'),
      missed: null,
      repeat: false,
    });
    expect(actionIds(message.blocks)).toEqual(['reminder_done', 'reminder_snooze', 'task_edit']);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Water &lt;the&gt; plants &amp; <@U0ANNA>');
    // The fire time the message was posted for, so a click acts on this firing and no other.
    expect(json).toContain('"value":"7@1799654400000"');
    expect(json).toContain('"value":"7:20m@1799654400000"');
    expect(json).toContain('<https://test.slack.com/archives/C1/p1|From this message>');
    expect(json).toContain('Due Mon 11 Jan 2027, 09:00');
    assertWithinBlockKitLimits(message.blocks);
  });

  it('button values read back as the task and the firing they were posted for; older and foreign ones do not', () => {
    const message = buildReminder(summary(), {
      tz: 'UTC',
      occurrence: new Date('2027-01-11T08:00:00Z'),
      firedAt: new Date('2027-01-11T09:00:00Z'),
      missed: null,
      repeat: true,
    });
    const done = elementWithAction(message.blocks, 'reminder_done');
    const snooze = elementWithAction(message.blocks, 'reminder_snooze');
    const firedAt = new Date('2027-01-11T09:00:00Z');
    expect(parseDoneValue(done?.value)).toEqual({ number: 7, firedAt });
    expect(parseSnoozeValue(snooze?.options?.[0]?.value)).toEqual({ number: 7, choice: '20m', firedAt });
    // Buttons posted before they carried the firing, and a notice's.
    expect(parseDoneValue('7')).toEqual({ number: 7, firedAt: null });
    expect(parseSnoozeValue('7:1h')).toEqual({ number: 7, choice: '1h', firedAt: null });
    for (const foreign of [
      undefined,
      '',
      'seven',
      '7@',
      '7@x',
      '7@1234567890123456',
      '1234567890',
      '7:1h:2',
      '7:1h@',
    ]) {
      expect(parseDoneValue(foreign)).toBeNull();
      expect(parseSnoozeValue(foreign)).toBeNull();
    }
    // Every option value stays within Slack's 150 characters.
    const longest = buildReminder(summary({ number: 999_999_999 }), {
      tz: 'UTC',
      occurrence: new Date(8.64e15),
      firedAt: new Date(8.64e15),
      missed: null,
      repeat: false,
    });
    const longestValues = JSON.stringify(longest.blocks).match(/"value":"[^"]*"/g) ?? [];
    for (const value of longestValues) expect(value.length - '"value":""'.length).toBeLessThanOrEqual(150);
  });

  it('marks a missed reminder and says how many were missed', () => {
    const message = buildReminder(summary(), {
      tz: 'Europe/Berlin',
      occurrence: new Date('2027-01-11T08:00:00Z'),
      firedAt: new Date('2027-01-11T08:00:00Z'),
      missed: { count: 3 },
      repeat: false,
    });
    expect(message.text).toBe('Missed reminder: #7 Water <the> plants & <@U0ANNA>');
    expect(JSON.stringify(message.blocks)).toContain(
      'Missed while TaskPilot was down — due Mon 11 Jan 2027, 09:00_ (3 occurrences missed',
    );
  });

  it('stays within limits with a maximal title', () => {
    const long = summary({ title: 'x'.repeat(500), recurrenceText: 'y'.repeat(200) });
    const reminder = buildReminder(long, {
      tz: 'UTC',
      occurrence: new Date(),
      firedAt: new Date(),
      missed: { count: 1000 },
      repeat: true,
    });
    assertWithinBlockKitLimits(reminder.blocks);
    assertWithinBlockKitLimits(buildDeliveryProblem(long, 'C0GONE', 'channel_not_found').blocks);
    assertWithinBlockKitLimits(buildDeadLetterNotice('A reminder', 'e'.repeat(5000), 'a'.repeat(24)).blocks);
  });

  it('the digest lists the day in due order with overdue marked, and pages long days', () => {
    const now = new Date('2027-01-11T08:00:00Z');
    const tasks = Array.from({ length: 45 }, (_, index) =>
      summary({ number: index + 1, title: `task ${index + 1}`, dueAt: new Date(now.getTime() + (index - 2) * 60_000) }),
    );
    const digest = buildDigest(tasks, { tz: 'UTC', now, dayLabel: 'Monday 11 January' });
    const json = JSON.stringify(digest.blocks);
    expect(json).toContain('*#1* task 1 — Mon 11 Jan 2027, 07:58 :warning: overdue');
    expect(json).toContain('…and 15 more');
    assertWithinBlockKitLimits(digest.blocks);
    expect(buildDigest([], { tz: 'UTC', now, dayLabel: 'Monday 11 January' }).text).toBe(
      'Nothing due Monday 11 January',
    );
  });
});
