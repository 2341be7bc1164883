import type { KnownBlock, ModalView } from '@slack/types';
import { MAX_COMMAND_LENGTH, MAX_INSTRUCTIONS_LENGTH } from '../src/db/models/agent-run';
import { AgentFormBlocks, CallbackIds } from './ids';

export interface AgentFormChoices {
  images: readonly string[];
  /** Only offered when the operator and the workspace both allow it. */
  networkAllowed: boolean;
  /** The channel the run was asked from, preselected for the report. */
  channelId: string | null;
}

const text = (value: string) => ({ type: 'plain_text' as const, text: value });

/** The "Agent run" modal: what to run, where from, and where the report goes. */
export function buildAgentForm(choices: AgentFormChoices): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: AgentFormBlocks.kind,
      label: text('Kind'),
      element: {
        type: 'radio_buttons',
        action_id: AgentFormBlocks.kind,
        initial_option: { text: text('A command'), value: 'command' },
        options: [
          { text: text('A command'), value: 'command' },
          { text: text('An LLM agent with instructions'), value: 'llm' },
        ],
      },
    },
    {
      type: 'input',
      block_id: AgentFormBlocks.what,
      label: text('Command or instructions'),
      hint: text('A shell command such as `make test`, or what the agent should do.'),
      element: {
        type: 'plain_text_input',
        action_id: AgentFormBlocks.what,
        multiline: true,
        max_length: Math.max(MAX_COMMAND_LENGTH, MAX_INSTRUCTIONS_LENGTH),
      },
    },
    {
      type: 'input',
      block_id: AgentFormBlocks.repo,
      optional: true,
      label: text('Repository'),
      hint: text('An https URL from an allowed host; it is cloned into /workspace first.'),
      element: {
        type: 'plain_text_input',
        action_id: AgentFormBlocks.repo,
        placeholder: text('https://github.com/acme/api'),
        max_length: 500,
      },
    },
    {
      type: 'input',
      block_id: AgentFormBlocks.image,
      label: text('Image'),
      element: {
        type: 'static_select',
        action_id: AgentFormBlocks.image,
        initial_option: { text: text(choices.images[0] ?? ''), value: choices.images[0] ?? '' },
        options: choices.images.slice(0, 100).map((image) => ({ text: text(image.slice(0, 75)), value: image })),
      },
    },
    {
      type: 'input',
      block_id: AgentFormBlocks.channel,
      label: text('Post the result in'),
      element: {
        type: 'conversations_select',
        action_id: AgentFormBlocks.channel,
        ...(choices.channelId
          ? { initial_conversation: choices.channelId }
          : { default_to_current_conversation: true }),
        filter: { include: ['public', 'private'], exclude_bot_users: true },
      },
    },
  ];
  if (choices.networkAllowed) {
    blocks.push({
      type: 'input',
      block_id: AgentFormBlocks.options,
      optional: true,
      label: text('Options'),
      element: {
        type: 'checkboxes',
        action_id: AgentFormBlocks.options,
        options: [{ text: text('Allow network access'), value: 'network' }],
      },
    });
  }
  return {
    type: 'modal',
    callback_id: CallbackIds.agentForm,
    title: text('Agent run'),
    submit: text('Run'),
    close: text('Cancel'),
    blocks,
  };
}
