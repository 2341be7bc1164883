import { readAgentForm } from '../../../src/agent/agent-form';
import { buildAgentForm } from '../../../views/agent-form';
import { AgentFormBlocks } from '../../../views/ids';
import { assertModalWithinLimits } from '../../helpers/block-kit';

describe('the Agent run form', () => {
  it('offers the allowed images, the channel, and network only where it is allowed', () => {
    const closed = buildAgentForm({ images: ['img:a', 'img:b'], networkAllowed: false, channelId: 'C1' });
    assertModalWithinLimits(closed);
    expect(JSON.stringify(closed.blocks)).toContain('img:b');
    expect(JSON.stringify(closed.blocks)).toContain('"initial_conversation":"C1"');
    expect(JSON.stringify(closed.blocks)).not.toContain(AgentFormBlocks.options);
    const open = buildAgentForm({ images: ['img:a'], networkAllowed: true, channelId: null });
    assertModalWithinLimits(open);
    expect(JSON.stringify(open.blocks)).toContain('Allow network access');
  });

  const state = (kind: string, what: string | null, channel: string | null, network = false) => ({
    [AgentFormBlocks.kind]: { [AgentFormBlocks.kind]: { selected_option: { value: kind } } },
    [AgentFormBlocks.what]: { [AgentFormBlocks.what]: { value: what } },
    [AgentFormBlocks.repo]: { [AgentFormBlocks.repo]: { value: ' https://github.com/acme/api ' } },
    [AgentFormBlocks.image]: { [AgentFormBlocks.image]: { selected_option: { value: 'img:a' } } },
    [AgentFormBlocks.channel]: { [AgentFormBlocks.channel]: { selected_conversation: channel } },
    [AgentFormBlocks.options]: {
      [AgentFormBlocks.options]: { selected_options: network ? [{ value: 'network' }] : [] },
    },
  });

  it('reads a command or instructions, the repository, image, channel and network', () => {
    expect(readAgentForm(state('llm', ' fix the build ', 'C1', true))).toEqual({
      channelId: 'C1',
      request: {
        kind: 'llm',
        command: null,
        instructions: 'fix the build',
        repo: 'https://github.com/acme/api',
        image: 'img:a',
        network: true,
        onlyOnChange: false,
      },
    });
  });

  it('names the missing fields, and refuses a malformed state kindly', () => {
    expect(readAgentForm(state('command', '  ', null))).toEqual({
      errors: { [AgentFormBlocks.what]: 'Which command?', [AgentFormBlocks.channel]: 'Where should the result go?' },
    });
    expect(() => readAgentForm({ nonsense: true })).toThrow(/open it again/);
  });
});
