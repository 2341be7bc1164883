import type { InputBlock } from '@slack/types';
import { FormBlocks } from '../../../views/ids';
import { buildTaskForm, EMPTY_FORM, repeatLabel, type TaskFormFields } from '../../../views/task-form';
import { assertModalWithinLimits } from '../../helpers/block-kit';

const NOW = new Date('2026-03-04T09:30:00Z');
const TZ = 'Europe/Berlin';
const empty = EMPTY_FORM;

const input = (view: ReturnType<typeof buildTaskForm>, blockId: string) =>
  view.blocks.find((block) => block.block_id === blockId) as InputBlock;

describe('buildTaskForm', () => {
  it('builds the New task modal: every field, a required title, dispatching schedule inputs', () => {
    const view = buildTaskForm(empty, { mode: 'new' }, { tz: TZ, now: NOW, preview: null });
    assertModalWithinLimits(view);
    expect(view.callback_id).toBe('task_form');
    expect(view.title.text).toBe('New task');
    for (const id of Object.values(FormBlocks).filter((id) => id !== FormBlocks.preview)) {
      expect(input(view, id)?.type).toBe('input');
    }
    expect(input(view, FormBlocks.title).optional).toBeUndefined();
    expect(input(view, FormBlocks.assignees).element.type).toBe('multi_users_select');
    expect(input(view, FormBlocks.channel).element.type).toBe('conversations_select');
    expect(input(view, FormBlocks.date).element.type).toBe('datepicker');
    expect(input(view, FormBlocks.time).element.type).toBe('timepicker');
    for (const id of [FormBlocks.date, FormBlocks.time, FormBlocks.repeat, FormBlocks.customRepeat]) {
      expect(input(view, id).dispatch_action).toBe(true);
    }
    expect(JSON.stringify(view.blocks)).toContain('a to-do without a reminder');
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ mode: 'new' });
  });

  it('fills an Edit form from the task, and the repeat menu follows the chosen date', () => {
    const fields: TaskFormFields = {
      title: 'Send the report',
      notes: 'The Q3 one',
      assignees: ['U0BEN'],
      channelId: 'C0TEAM',
      date: '2026-03-06',
      time: '14:00',
      repeat: 'weekly',
      customRepeat: '',
    };
    const meta = {
      mode: 'edit' as const,
      number: 123456789,
      original: { date: '2026-03-06', time: '14:00', repeat: 'weekly' as const, customRepeat: '' },
    };
    const view = buildTaskForm(fields, meta, {
      tz: TZ,
      now: NOW,
      preview: { runs: ['Fri 6 Mar 2026, 14:00', 'Fri 13 Mar 2026, 14:00', 'Fri 20 Mar 2026, 14:00'] },
    });
    assertModalWithinLimits(view);
    expect(view.title.text).toBe('Edit task #123456789');
    expect(view.submit?.text).toBe('Save');
    const all = JSON.stringify(view.blocks);
    expect(all).toContain('"initial_value":"Send the report"');
    expect(all).toContain('"initial_users":["U0BEN"]');
    expect(all).toContain('"initial_conversation":"C0TEAM"');
    expect(all).toContain('"initial_date":"2026-03-06"');
    expect(all).toContain('"initial_time":"14:00"');
    expect(all).toContain('Weekly on Friday');
    expect(all).toContain('Monthly on the 6th');
    expect(all).toContain('Fri 20 Mar 2026, 14:00');
    const repeat = input(view, FormBlocks.repeat).element as { initial_option: { value: string } };
    expect(repeat.initial_option.value).toBe('weekly');
  });

  it('shows a preview problem, and a message’s link, within limits even with the longest inputs', () => {
    const fields = { ...empty, title: 't'.repeat(900), notes: 'n'.repeat(5000), customRepeat: 'c'.repeat(400) };
    const permalink = `https://test.slack.com/archives/C0SRC/p${'1'.repeat(16)}`;
    const view = buildTaskForm(
      fields,
      { mode: 'new', permalink, sourceChannelId: 'C0SRC' },
      {
        tz: TZ,
        now: NOW,
        preview: { problem: 'That time has already passed.' },
      },
    );
    assertModalWithinLimits(view);
    const all = JSON.stringify(view.blocks);
    expect(all).toContain(':warning: That time has already passed.');
    expect(all).toContain(`<${permalink}|this message>`);
  });

  it('words the repeat choices as people say them', () => {
    expect(repeatLabel('monthly', '2026-03-01', TZ, NOW)).toBe('Monthly on the 1st');
    expect(repeatLabel('monthly', '2026-03-22', TZ, NOW)).toBe('Monthly on the 22nd');
    expect(repeatLabel('monthly', '2026-03-13', TZ, NOW)).toBe('Monthly on the 13th');
    expect(repeatLabel('weekly', null, TZ, NOW)).toBe('Weekly on Wednesday');
    expect(repeatLabel('weekdays', null, TZ, NOW)).toBe('Every weekday (Mon–Fri)');
  });
});
