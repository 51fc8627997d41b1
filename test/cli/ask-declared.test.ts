/**
 * The one question on a terminal (issue 12 item 3): a run without a token cannot read Plex's own reachability check,
 * so "reachable from outside" is missing and the verdict would be inconclusive. On a terminal the CLI asks whether a
 * phone on mobile data can play; the answer enters the report as "you said" and decides it. Never asked with --json
 * or without a terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, hasScript, runCliInTerminal, type CliSandbox } from './helpers/run-cli.js';
import { startHome, type Home } from './helpers/home.js';
import { parseRemoteAccessAnswer, REMOTE_ACCESS_QUESTION } from '../../src/cli/ask-declared.js';

let home: Home;
let box: CliSandbox;
beforeAll(async () => {
  [home, box] = await Promise.all([startHome(), createSandbox()]);
});
afterAll(async () => {
  await Promise.allSettled([home.close(), box.cleanup()]);
});

/** The CLI on a terminal, answering the question (once) with `answer`. */
function answering(args: string[], answer: string | undefined) {
  return runCliInTerminal(args, {
    env: box.env(),
    timeoutMs: 60_000,
    onSpawn: (child) => {
      let seen = '';
      let answered = false;
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (answer !== undefined && !answered && seen.includes('does your server play?')) {
          answered = true;
          child.stdin!.write(`${answer}\r`);
        }
      });
    },
  });
}

describe('parseRemoteAccessAnswer', () => {
  it('y → works, n → fails, anything else is a skip', () => {
    expect(parseRemoteAccessAnswer('y')).toEqual({ via: 'answer', failsFromOutside: false });
    expect(parseRemoteAccessAnswer('No')).toEqual({ via: 'answer', failsFromOutside: true });
    for (const skip of ['', 'maybe', 'yess', undefined]) expect(parseRemoteAccessAnswer(skip)).toBeUndefined();
  });
});

describe.skipIf(!hasScript())('on a terminal', () => {
  it('asks once when reachability from outside is missing; "n" becomes "you said" evidence for the candidates', async () => {
    const skipped = await answering(home.args(['--no-color']), '');
    const result = await answering(home.args(['--no-color']), 'n');
    expect(result.stdout).toContain(REMOTE_ACCESS_QUESTION.trim());
    expect(result.stdout.split('does your server play?').length).toBe(2);
    expect(result.stdout).toContain('+ you said: remote access fails from outside');
    expect(skipped.stdout).not.toContain('you said');
    // Without a token, whether remote access is enabled at all stays open: still inconclusive, now with causes.
    expect(result.stdout).toContain('Possible causes');
    expect(result.code).toBe(4);
  });

  it('Enter skips: the report stays inconclusive (exit 4)', async () => {
    const result = await answering(home.args(['--no-color']), '');
    expect(result.stdout).toContain('does your server play?');
    expect(result.stdout).toContain('Inconclusive');
    expect(result.code).toBe(4);
  });

  it('--json on a terminal: never asked', async () => {
    const result = await answering(home.args(['--json']), 'n');
    expect(result.stdout).not.toContain('does your server play?');
    expect(result.stdout).toContain('"status": "inconclusive"');
    expect(result.code).toBe(4);
  });
});

it('without a terminal: never asked, inconclusive', async () => {
  const result = await box.run(home.args(['--no-color']));
  expect(result.stdout + result.stderr).not.toContain('does your server play?');
  expect(result.code).toBe(4);
});
