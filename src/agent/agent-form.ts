import { z } from 'zod';
import { AgentFormBlocks } from '../../views/ids';
import { UserInputError } from '../errors';
import type { AgentRequest } from './agent-request';

const Value = z.object({ value: z.string().nullish() }).partial();
const Selected = z.object({ selected_option: z.object({ value: z.string() }).nullish() }).partial();
const State = z.object({
  [AgentFormBlocks.kind]: z.object({ [AgentFormBlocks.kind]: Selected }),
  [AgentFormBlocks.what]: z.object({ [AgentFormBlocks.what]: Value }),
  [AgentFormBlocks.repo]: z.object({ [AgentFormBlocks.repo]: Value }).optional(),
  [AgentFormBlocks.image]: z.object({ [AgentFormBlocks.image]: Selected }),
  [AgentFormBlocks.channel]: z.object({
    [AgentFormBlocks.channel]: z.object({ selected_conversation: z.string().nullish() }).partial(),
  }),
  [AgentFormBlocks.options]: z
    .object({
      [AgentFormBlocks.options]: z
        .object({ selected_options: z.array(z.object({ value: z.string() })).nullish() })
        .partial(),
    })
    .optional(),
});

export type AgentFormResult =
  | { errors: Record<string, string> }
  | { request: AgentRequest & { image: string }; channelId: string };

/** Reads the submitted Agent run form; mistakes come back per block, for `response_action: errors`. */
export function readAgentForm(values: unknown): AgentFormResult {
  const parsed = State.safeParse(values);
  if (!parsed.success) throw new UserInputError('That form could not be read. Please open it again.');
  const state = parsed.data;
  const kind = state[AgentFormBlocks.kind][AgentFormBlocks.kind].selected_option?.value === 'llm' ? 'llm' : 'command';
  const what = (state[AgentFormBlocks.what][AgentFormBlocks.what].value ?? '').trim();
  const repo = (state[AgentFormBlocks.repo]?.[AgentFormBlocks.repo].value ?? '').trim() || null;
  const image = state[AgentFormBlocks.image][AgentFormBlocks.image].selected_option?.value ?? '';
  const channelId = state[AgentFormBlocks.channel][AgentFormBlocks.channel].selected_conversation ?? '';
  const options = state[AgentFormBlocks.options]?.[AgentFormBlocks.options].selected_options ?? [];
  const errors: Record<string, string> = {};
  if (!what) errors[AgentFormBlocks.what] = kind === 'llm' ? 'What should the agent do?' : 'Which command?';
  if (!channelId) errors[AgentFormBlocks.channel] = 'Where should the result go?';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    channelId,
    request: {
      kind,
      command: kind === 'command' ? what : null,
      instructions: kind === 'llm' ? what : null,
      repo,
      image,
      network: options.some((option) => option.value === 'network'),
      onlyOnChange: false,
    },
  };
}
