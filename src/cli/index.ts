import { Command, InvalidArgumentError } from 'commander';
import { runPlayground } from '../playground/playground';
import { ROLES, type Role } from '../roles';
import { type ParseCommandOptions, runParse } from './parse';
import { runStart } from './start';

function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}`);
  }
  return value as Role;
}

function parseParser(value: string): ParseCommandOptions['parser'] {
  if (value !== 'auto' && value !== 'openai' && value !== 'fallback') {
    throw new InvalidArgumentError('expected one of auto, openai, fallback');
  }
  return value;
}

export function buildProgram(): Command {
  const program = new Command('taskpilot')
    .description('Slack-first task assistant: tasks, reminders and sandboxed agent runs')
    .showHelpAfterError();

  program
    .command('start')
    .description('serve Slack and run jobs (see --role)')
    .option('--role <role>', 'web (Slack traffic), worker (jobs) or all', parseRole, 'all' as Role)
    .action(async (options: { role: Role }) => {
      await runStart(options.role);
    });

  program
    .command('parse')
    .description('print how TaskPilot understands a request, as one JSON object (no Slack or MongoDB needed)')
    .argument('<text...>', 'the request, e.g. "water the plants every Monday at 9am"')
    .option('--now <instant>', 'the moment of the request (ISO 8601); default: now')
    .option('--tz <zone>', "the requester's IANA time zone; default: this machine's")
    .option('--parser <parser>', 'auto, openai or fallback', parseParser, 'auto' as ParseCommandOptions['parser'])
    .action(async (words: string[], options: ParseCommandOptions) => {
      process.exitCode = await runParse(words.join(' '), options);
    });

  program
    .command('playground')
    .alias('console')
    .description('try TaskPilot in the terminal, without Slack: a local fake Slack and the embedded database')
    .action(async () => {
      await runPlayground({ input: process.stdin, output: process.stdout, env: process.env });
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
