import { Command, InvalidArgumentError } from 'commander';
import { runPlayground } from '../playground/playground';
import { ROLES, type Role } from '../roles';
import { runDlq } from './dlq';
import { type ParseCommandOptions, runParse } from './parse';
import { runSandboxCommand, type SandboxRunOptions } from './sandbox';
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

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || number <= 0) throw new InvalidArgumentError('expected a whole number greater than 0');
  return number;
}

function parseNetwork(value: string): SandboxRunOptions['network'] {
  if (value !== 'none' && value !== 'bridge') throw new InvalidArgumentError('expected none or bridge');
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

  const dlq = program.command('dlq').description('the dead-letter queue: jobs that failed every retry');
  dlq
    .command('list')
    .description('open entries, newest first')
    .option('--all', 'include retried and dropped entries')
    .option('--json', 'one JSON object per line')
    .action(async (options: { all?: boolean; json?: boolean }) => {
      process.exitCode = await runDlq({ kind: 'list', all: Boolean(options.all), json: Boolean(options.json) });
    });
  dlq
    .command('retry')
    .description('put an entry back on the schedule')
    .argument('<id>', 'the id `dlq list` shows')
    .action(async (id: string) => {
      process.exitCode = await runDlq({ kind: 'retry', id });
    });
  dlq
    .command('drop')
    .description('close an entry without running it')
    .argument('<id>', 'the id `dlq list` shows')
    .action(async (id: string) => {
      process.exitCode = await runDlq({ kind: 'drop', id });
    });

  const sandbox = program.command('sandbox').description('the hardened container agent runs use');
  sandbox
    .command('run')
    .description(
      'run one command in a fresh sandbox and print {exitCode, stdout, stderr, timedOut, oomKilled, durationMs, truncated}',
    )
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--image <image>', 'the image; default: SANDBOX_IMAGE, or the one scripts/services.sh builds')
    .option('--timeout <seconds>', 'wall-clock seconds before the container is killed', positiveNumber)
    .option('--memory <mb>', 'memory limit in megabytes (no swap)', positiveNumber)
    .option('--network <mode>', 'none or bridge', parseNetwork, 'none' as SandboxRunOptions['network'])
    .action(async (command: string[], options: SandboxRunOptions) => {
      process.exitCode = await runSandboxCommand(command, options);
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
