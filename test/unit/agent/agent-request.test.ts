import { readAgentRequest, TESTS_COMMAND } from '../../../src/agent/agent-request';

describe('reading /task run requests', () => {
  it('takes a command in backticks and a repository, Slack link markup included', () => {
    expect(readAgentRequest('run `make lint` in <https://github.com/acme/api>')).toEqual({
      kind: 'command',
      command: 'make lint',
      instructions: null,
      repo: 'https://github.com/acme/api',
      network: false,
      onlyOnChange: false,
    });
  });

  it('keeps time words inside the command as typed', () => {
    const request = readAgentRequest('run `sleep 5 && echo at 9` every day at 10', 'run `sleep 5 && echo`');
    expect(request.command).toBe('sleep 5 && echo at 9');
  });

  it('reads "the tests of <repo>" as the usual test entry points', () => {
    const request = readAgentRequest(
      'run the tests of https://github.com/acme/api every weekday at 2am, only post when it changes',
    );
    expect(request).toMatchObject({ kind: 'command', command: TESTS_COMMAND, repo: 'https://github.com/acme/api' });
    expect(request.onlyOnChange).toBe(true);
  });

  it('reads an agent with instructions from the title, and a network request', () => {
    const request = readAgentRequest(
      'run agent: find why the build fails with network access tomorrow at 9',
      'run agent: find why the build fails with network access',
    );
    expect(request).toMatchObject({
      kind: 'llm',
      instructions: 'find why the build fails with network access',
      network: true,
    });
  });

  it('answers kindly when it cannot tell what to run', () => {
    expect(() => readAgentRequest('run something')).toThrow(/Tell me what to run/);
    expect(() => readAgentRequest('run the tests')).toThrow(/Which repository/);
    expect(() => readAgentRequest('run agent:')).toThrow(/What should the agent do/);
    expect(() => readAgentRequest(`run \`${'x'.repeat(2001)}\``)).toThrow(/too long/);
  });
});
