import { MAX_COMMAND_LENGTH, MAX_INSTRUCTIONS_LENGTH } from '../db/models/agent-run';
import { UserInputError } from '../errors';

/**
 * What `/task run …` asks for, read from the request once the parser has taken the time words
 * out: a command in backticks, "the tests", or an agent with instructions; an https repository;
 * whether it wants a network; whether a recurring run should post only when its result changes.
 */
export interface AgentRequest {
  kind: 'command' | 'llm';
  command: string | null;
  instructions: string | null;
  repo: string | null;
  network: boolean;
  onlyOnChange: boolean;
}

/**
 * "The tests" of a repository: the usual entry points, in the order projects tend to have them.
 * It runs in the sandbox image, so the image must hold the tools the repository needs.
 */
export const TESTS_COMMAND =
  'if [ -f Makefile ]; then make test; elif [ -f package.json ]; then npm test; elif [ -f test.sh ]; then sh test.sh; else echo "no Makefile, package.json or test.sh found" >&2; exit 2; fi';

const USAGE =
  'Tell me what to run: `/task run `make lint` in https://github.com/acme/api`, `/task run the tests of https://github.com/acme/api every weekday at 2am`, or `/task run agent: find why the build fails in https://github.com/acme/api`.';

// Slack sends links as <https://…> or <https://…|label>.
const SLACK_LINK = /<(https?:\/\/[^|>\s]+)(?:\|[^>]*)?>/g;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>`]+/i;

/**
 * `text` is the request as typed, where commands and links are read, so time words inside a
 * command stay in it; `title` is the parser's title (time words removed), where an agent's
 * instructions are read.
 */
export function readAgentRequest(text: string, title: string | null = text): AgentRequest {
  const plain = text.replace(SLACK_LINK, '$1').trim();
  const fenced = /```([\s\S]+?)```/.exec(plain) ?? /`([^`]+)`/.exec(plain);
  const withoutCommand = fenced ? plain.replace(fenced[0], ' ') : plain;
  const described = (title ?? '').replace(SLACK_LINK, '$1').trim();
  const repo = URL_IN_TEXT.exec(withoutCommand)?.[0].replace(/[.,;:!?)]+$/, '') ?? null;
  const network = /\bwith (?:the )?(?:network|internet)(?: access)?\b/i.test(withoutCommand);
  const onlyOnChange = /\bonly (?:post )?(?:when|if|on) (?:it |the result |something )?chang(?:es|ed|e)\b/i.test(
    withoutCommand,
  );
  const base = { repo, network, onlyOnChange };

  if (fenced?.[1]?.trim()) {
    const command = fenced[1].trim();
    if (command.length > MAX_COMMAND_LENGTH)
      throw new UserInputError(`That command is too long (over ${MAX_COMMAND_LENGTH} characters).`);
    return { kind: 'command', command, instructions: null, ...base };
  }
  const agent =
    /^(?:run\s+|ask\s+|start\s+)?(?:an?\s+|the\s+)?(?:llm\s+)?agent\s*(?::|to\b|that\b)?\s*([\s\S]*)$/i.exec(described);
  if (agent) {
    const instructions = (agent[1] ?? '').trim();
    if (!instructions) throw new UserInputError(`What should the agent do? ${USAGE}`);
    if (instructions.length > MAX_INSTRUCTIONS_LENGTH)
      throw new UserInputError(`Those instructions are too long (over ${MAX_INSTRUCTIONS_LENGTH} characters).`);
    return { kind: 'llm', command: null, instructions, ...base };
  }
  if (/\b(?:tests?|test suite|specs?|ci)\b/i.test(withoutCommand)) {
    if (!repo) throw new UserInputError(`Which repository's tests? ${USAGE}`);
    return { kind: 'command', command: TESTS_COMMAND, instructions: null, ...base };
  }
  throw new UserInputError(USAGE);
}
