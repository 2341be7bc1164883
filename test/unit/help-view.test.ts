import type { KnownBlock } from '@slack/types';
import { buildHelpMessage } from '../../views/help';
import { assertWithinBlockKitLimits } from '../helpers/block-kit';

describe('buildHelpMessage', () => {
  it('starts with a header and names the command in its examples', () => {
    const message = buildHelpMessage('/task');
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: 'TaskPilot help' } });
    const sections = message.blocks.filter(
      (block): block is KnownBlock & { type: 'section' } => block.type === 'section',
    );
    expect(sections.some((section) => section.text?.text.includes('/task help'))).toBe(true);
    expect(message.text).toContain('/task');
  });

  it('puts a notice first when given one', () => {
    const message = buildHelpMessage('/task', 'Heads up');
    expect(message.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'Heads up' } });
  });

  it('stays within Block Kit limits', () => {
    assertWithinBlockKitLimits(buildHelpMessage('/task', 'n'.repeat(100)).blocks);
  });
});
