import { describeRun } from '../../views/agent-run';
import type { SlackMessage } from '../../views/help';
import type { AgentRun } from '../db/models/agent-run';
import type { TaskDocument } from '../db/models/task';
import { UserInputError } from '../errors';
import type { ParseResult } from '../parse/types';
import { type CommandContext, taskSourceOf } from '../tasks/command-context';
import type { TaskService } from '../tasks/task-service';
import type { AgentActor, AgentPolicy, AgentSettings } from './agent-policy';
import { readAgentRequest } from './agent-request';
import type { AgentRuns } from './agent-runs';

export interface AgentCommandDeps {
  tasks: TaskService;
  agentRuns: AgentRuns;
  agentPolicy: AgentPolicy;
}

const reply = (text: string): SlackMessage => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

const actorOf = (context: CommandContext): AgentActor => ({
  teamId: context.teamId,
  userId: context.userId,
  isAdmin: context.isAdmin,
  channelId: context.channelId || null,
});

/**
 * `/task run …` (the parser's run_agent intent): a run now, or on the schedule the request names,
 * when it becomes a task whose occurrences start runs. `text` is the request as typed.
 */
export async function startAgentRequest(
  context: CommandContext,
  text: string,
  parsed: ParseResult,
  deps: AgentCommandDeps,
): Promise<{ scheduled: TaskDocument } | { queued: AgentRun; message: SlackMessage }> {
  const request = readAgentRequest(text, parsed.title);
  const actor = actorOf(context);
  if (parsed.dueAt) {
    const spec = await deps.agentRuns.checkedSpec(actor, request);
    const scheduled = await deps.tasks.create({
      teamId: context.teamId,
      creatorId: context.userId,
      title: `Agent run: ${describeRun(spec)}`.slice(0, 500),
      assignees: [],
      channelId: parsed.channel,
      dueAt: new Date(parsed.dueAt),
      tz: context.tz,
      recurrence: parsed.recurrence,
      source: taskSourceOf(context),
      agent: spec,
    });
    return { scheduled };
  }
  const queued = await deps.agentRuns.request(
    { ...actor, threadTs: context.source?.threadTs ?? null },
    { ...request, postIn: parsed.channel },
  );
  return {
    queued,
    message: reply(`Queued: ${describeRun(queued.spec)}. Its status and output are posted in <#${queued.channelId}>.`),
  };
}

function describePolicy(settings: AgentSettings, networkAllowed: boolean): string {
  const users = settings.allowedUsers.map((id) => `<@${id}>`).join(', ') || 'nobody else';
  const channels = settings.allowedChannels.map((id) => `<#${id}>`).join(', ') || 'none';
  const network = !networkAllowed ? 'off (this TaskPilot allows none)' : settings.network ? 'on' : 'off';
  return `*Who may run agents:* workspace admins and owners; also ${users}.\n*Channels where everyone may:* ${channels}.\n*Network in runs:* ${network}.`;
}

const MENTIONS = { users: /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, channels: /<#([CG][A-Z0-9]+)(?:\|[^>]*)?>/g };

/** `/task agents`, `/task agents allow|deny @someone #channel`, `/task agents network on|off`. */
export async function runAgentSettings(
  context: CommandContext,
  args: string,
  deps: AgentCommandDeps,
): Promise<SlackMessage> {
  const operatorAllowsNetwork = deps.agentPolicy.operatorAllowsNetwork;
  const actor = actorOf(context);
  const [verb = '', ...rest] = args.trim().split(/\s+/);
  const words = rest.join(' ');
  switch (verb.toLowerCase()) {
    case '':
      return reply(describePolicy(await deps.agentPolicy.forTeam(context.teamId), operatorAllowsNetwork));
    case 'allow':
    case 'deny': {
      const users = [...words.matchAll(MENTIONS.users)].map((match) => match[1] as string);
      const channels = [...words.matchAll(MENTIONS.channels)].map((match) => match[1] as string);
      const settings = await deps.agentPolicy.change(actor, {
        kind: verb.toLowerCase() as 'allow' | 'deny',
        users,
        channels,
      });
      return reply(describePolicy(settings, operatorAllowsNetwork));
    }
    case 'network': {
      const setting = rest[0]?.toLowerCase();
      if (setting !== 'on' && setting !== 'off') throw new UserInputError('Say `network on` or `network off`.');
      const settings = await deps.agentPolicy.change(actor, { kind: 'network', on: setting === 'on' });
      return reply(describePolicy(settings, operatorAllowsNetwork));
    }
    default:
      throw new UserInputError(
        `\`${context.command} agents\` shows who may run agents; admins can \`allow\` or \`deny\` @people and #channels, and turn \`network on\` or \`off\`.`,
      );
  }
}
