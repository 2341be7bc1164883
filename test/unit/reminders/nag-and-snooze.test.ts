import { extractNag, parseNagSetting } from '../../../src/parse/nag';
import { snoozeUntil } from '../../../src/reminders/snooze-choices';

describe('nagging phrases', () => {
  it.each([
    ['remind me every hour until done to submit the report', 60, 'remind me to submit the report'],
    ['submit timesheet at 4pm, and keep reminding me every 30 minutes until it is done', 30, 'submit timesheet at 4pm'],
    ['call the bank every 2 hours until finished', 120, 'call the bank'],
    ['stretch every 1 minute until done', 5, 'stretch'],
  ])('%s', (text, minutes, rest) => {
    expect(extractNag(text)).toEqual({ minutes, text: rest });
  });

  it('leaves ordinary recurrences alone', () => {
    expect(extractNag('water the plants every Monday at 9am')).toEqual({
      minutes: null,
      text: 'water the plants every Monday at 9am',
    });
  });

  it('reads the /task nag setting', () => {
    expect(parseNagSetting('every 30 minutes')).toBe(30);
    expect(parseNagSetting('hourly')).toBe(60);
    expect(parseNagSetting('2h')).toBe(120);
    expect(parseNagSetting('off')).toBeNull();
    expect(parseNagSetting('sometimes')).toBeUndefined();
  });
});

describe('snooze choices', () => {
  // Saturday 27 March 2027, 23:30 in Berlin: the clocks go forward at 02:00.
  const now = new Date('2027-03-27T22:30:00Z');
  it.each([
    ['20m', '2027-03-27T22:50:00.000Z'],
    ['1h', '2027-03-27T23:30:00.000Z'],
    ['3h', '2027-03-28T01:30:00.000Z'],
    ['tomorrow', '2027-03-28T07:00:00.000Z'],
    ['next_week', '2027-03-29T07:00:00.000Z'],
  ] as const)('%s', (choice, expected) => {
    expect(snoozeUntil(choice, now, 'Europe/Berlin').toISOString()).toBe(expected);
  });
});
