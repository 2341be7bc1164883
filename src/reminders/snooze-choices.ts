import { DateTime } from 'luxon';

/** The snooze menu on every reminder; times are in the clicker's zone. */
export const SNOOZE_CHOICES = [
  { id: '20m', label: '20 minutes' },
  { id: '1h', label: '1 hour' },
  { id: '3h', label: '3 hours' },
  { id: 'tomorrow', label: 'Tomorrow 09:00' },
  { id: 'next_week', label: 'Next Monday 09:00' },
] as const;
export type SnoozeChoice = (typeof SNOOZE_CHOICES)[number]['id'];

export function isSnoozeChoice(value: string): value is SnoozeChoice {
  return SNOOZE_CHOICES.some((choice) => choice.id === value);
}

export function snoozeUntil(choice: SnoozeChoice, now: Date, tz: string): Date {
  const local = DateTime.fromJSDate(now, { zone: tz });
  const nine = (day: DateTime) => day.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  switch (choice) {
    case '20m':
      return local.plus({ minutes: 20 }).toJSDate();
    case '1h':
      return local.plus({ hours: 1 }).toJSDate();
    case '3h':
      return local.plus({ hours: 3 }).toJSDate();
    case 'tomorrow':
      return nine(local.plus({ days: 1 })).toJSDate();
    case 'next_week':
      return nine(local.plus({ days: 8 - local.weekday })).toJSDate();
  }
}
