import { DateTime } from 'luxon';
import { parseWithFallbackParser } from '../../../src/parse';
import { PHRASES, type PhraseCase } from './phrases';

const local = (iso: string, tz: string) =>
  DateTime.fromISO(iso, { zone: 'utc' }).setZone(tz).toFormat("yyyy-MM-dd'T'HH:mm");

function parse(phrase: PhraseCase) {
  const now = DateTime.fromISO(phrase.now, { zone: phrase.tz });
  return parseWithFallbackParser(phrase.text, { now: now.toJSDate(), tz: phrase.tz });
}

describe('deterministic parser: phrase table', () => {
  it('has at least 150 phrasings', () => {
    expect(PHRASES.length).toBeGreaterThanOrEqual(150);
  });

  it.each(PHRASES.map((phrase) => [`${phrase.text} (${phrase.tz}, ${phrase.now})`, phrase] as const))(
    '%s',
    (_, phrase) => {
      const result = parse(phrase);
      expect(result.intent).toBe(phrase.intent ?? 'create_task');
      if (phrase.title !== undefined) expect(result.title).toBe(phrase.title);
      if (phrase.due !== undefined) {
        expect(result.recurrence).toBeNull();
        expect(result.dueAt === null ? null : local(result.dueAt, phrase.tz)).toBe(phrase.due);
      }
      if (phrase.next !== undefined) {
        expect(result.recurrence?.tz).toBe(phrase.tz);
        expect(result.occurrences.map((instant) => local(instant, phrase.tz))).toEqual(phrase.next);
        expect(result.dueAt).toBe(result.occurrences[0]);
      }
      if (phrase.assignees !== undefined) expect(result.assignees).toEqual(phrase.assignees);
      if (phrase.channel !== undefined) expect(result.channel).toBe(phrase.channel);
      if (phrase.taskRef !== undefined) expect(result.taskRef).toBe(phrase.taskRef);
    },
  );
});
