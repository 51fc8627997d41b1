/**
 * `fix` on a fake server whose diagnosis carries machine-applicable actions (Plex's manual public port 44400 while the
 * router forwards 32400; remote access turned off): the dry run shows the exact pref changes and changes nothing;
 * --yes (or yes at the prompt) applies them on the server, verified, with an undo journal (0600); `fix --undo`
 * restores the previous values; a second undo has nothing to undo (exit 2).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { createSandbox, hasScript, runCliInTerminal, type CliResult, type CliSandbox } from './helpers/run-cli.js';
import { MACHINE_ID, SERVER_LAN, startHome, type Home, type HomeOptions } from './helpers/home.js';
import { findings, parseReport } from './helpers/report-shape.js';

const MISMATCH: HomeOptions = {
  prefs: { ManualPortMappingMode: true, ManualPortMappingPort: 44400 },
  forwards: [32400],
};
/** A home and a sandbox of the test's own (the tests run concurrently), closed when the test ends. */
async function setup(
  context: TestContext,
  options: HomeOptions,
): Promise<{ home: Home; box: CliSandbox; fix: (args?: string[]) => Promise<CliResult> }> {
  const [home, box] = await Promise.all([startHome(options), createSandbox()]);
  context.onTestFinished(async () => {
    await Promise.allSettled([home.close(), box.cleanup()]);
  });
  const fix = async (args: string[] = []): Promise<CliResult> => {
    const result = await box.run(['fix', ...home.args(['--token', home.token, ...args])]);
    expect(result.stdout + result.stderr).not.toContain(home.token);
    return result;
  };
  return { home, box, fix };
}

const prefPuts = (home: Home) => home.server.requests.filter((r) => r.method === 'PUT' && r.path === '/:/prefs');
const defaultJournal = (box: CliSandbox): string => join(box.configDir, `undo-${MACHINE_ID}.json`);

describe.concurrent('fix', () => {
  it('dry run: shows the exact change and why, changes nothing, writes no journal', async (context) => {
    const { home, box, fix } = await setup(context, MISMATCH);
    const result = await fix();
    expect(result.stdout).toBe(
      [
        `Changes to the Plex settings of ${home.server.url}:`,
        `  ManualPortMappingPort: 44400 → 32400    (manual-port-mismatch: Plex's manual public port is 44400, but the router forwards 32400 (not 44400) to ${SERVER_LAN}:${home.server.port}.)`,
        'Dry run: nothing changed. Run `plex-diagnose fix --yes` to apply.',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(0);
    expect(home.server.state.prefs.ManualPortMappingPort).toBe('44400');
    expect(prefPuts(home)).toEqual([]);
    expect(existsSync(defaultJournal(box))).toBe(false);
  });

  it('--yes applies it on the server with a 0600 journal; the problem is gone; --undo restores; a second --undo has nothing to undo', async (context) => {
    const { home, box, fix } = await setup(context, MISMATCH);
    const applied = await fix(['--yes']);
    expect(applied.stdout).toContain(
      `Applied 1 change(s), verified. Undo with \`plex-diagnose fix --undo\` (journal: ${defaultJournal(box)}).`,
    );
    expect(applied.code).toBe(0);
    expect(home.server.state.prefs.ManualPortMappingPort).toBe('32400');
    expect(statSync(defaultJournal(box)).mode & 0o777).toBe(0o600);
    expect(readFileSync(defaultJournal(box), 'utf8')).not.toContain(home.token);

    // The fake server re-checks reachability when a mapping pref changes: remote access works now.
    expect(home.server.state.account.mappingState).toBe('mapped');
    const after = await box.run(home.args(['--token', home.token, '--json']));
    expect(findings(parseReport(after.stdout))).toEqual([]);
    expect(after.code).toBe(0);

    const undone = await fix(['--undo']);
    expect(undone.stdout).toBe(`Restored on ${home.server.url}:\n  ManualPortMappingPort = 44400\n`);
    expect(undone.code).toBe(0);
    expect(home.server.state.prefs.ManualPortMappingPort).toBe('44400');
    expect(home.server.state.prefs.ManualPortMappingMode).toBe('1');

    const again = await fix(['--undo']);
    expect(again.stderr.trimEnd().split('\n').at(-1)).toBe(
      `plex-diagnose: nothing to undo: the last fix on ${home.server.url} was already undone`,
    );
    expect(again.code).toBe(2);
    expect(home.server.state.prefs.ManualPortMappingPort).toBe('44400');
  });

  it('--journal keeps the journal where asked, and the undo hint names it', async (context) => {
    const { home, box, fix } = await setup(context, { prefs: { PublishServerOnPlexOnlineKey: false } });
    const journal = join(box.dir, 'my-undo.json');
    const applied = await fix(['--yes', '--journal', journal]);
    expect(applied.stdout).toContain('  PublishServerOnPlexOnlineKey: false → true    (remote-access-disabled: ');
    expect(applied.stdout).toContain(
      `Undo with \`plex-diagnose fix --undo --journal ${journal}\` (journal: ${journal})`,
    );
    expect(home.server.state.prefs.PublishServerOnPlexOnlineKey).toBe('1');
    expect(statSync(journal).mode & 0o777).toBe(0o600);
    expect(existsSync(defaultJournal(box))).toBe(false);

    const undone = await fix(['--undo', '--journal', journal]);
    expect(undone.stdout).toBe(`Restored on ${home.server.url}:\n  PublishServerOnPlexOnlineKey = false\n`);
    expect(home.server.state.prefs.PublishServerOnPlexOnlineKey).toBe('0');
  });

  it.skipIf(!hasScript())('on a terminal it asks; "y" applies, anything else is a dry run', async (context) => {
    const { home, box } = await setup(context, MISMATCH);
    const ask = (answer: string) =>
      runCliInTerminal(['fix', ...home.args(['--token', home.token])], {
        env: box.env(),
        onSpawn: (child) => {
          let seen = '';
          let answered = false;
          child.stdout!.on('data', (chunk: Buffer) => {
            seen += chunk.toString();
            if (!answered && seen.includes('Apply them? [y/N]')) {
              answered = true;
              child.stdin!.write(`${answer}\r`);
            }
          });
        },
      });
    const declined = await ask('n');
    expect(declined.stdout).toContain('Dry run: nothing changed.');
    expect(home.server.state.prefs.ManualPortMappingPort).toBe('44400');
    const accepted = await ask('y');
    expect(accepted.stdout).toContain('Applied 1 change(s), verified.');
    expect(accepted.code).toBe(0);
    expect(home.server.state.prefs.ManualPortMappingPort).toBe('32400');
  });

  it('nothing to change: says so (the report lists what to do by hand), exit 0', async (context) => {
    const { home, fix } = await setup(context, { ispBlockedPorts: [32400] });
    const result = await fix(['--yes']);
    expect(result.stdout).toBe(
      'Nothing plex-diagnose can change for you. The report lists what to change by hand (router, ISP).\n',
    );
    expect(result.code).toBe(0);
    expect(prefPuts(home)).toEqual([]);
  });

  it('without a token, or with no journal to undo: exit 2 with the reason', async (context) => {
    const { home, box } = await setup(context, MISMATCH);
    const noToken = await box.run(['fix', ...home.args(['--yes'])]);
    expect(noToken.stderr.trimEnd().split('\n').at(-1)).toBe(
      "plex-diagnose: fix needs the server owner's token to read and change settings (--token, PLEX_TOKEN or `plex-diagnose login`)",
    );
    expect(noToken.code).toBe(2);
    const undoNoToken = await box.run(['fix', '--undo', ...home.args()]);
    expect(undoNoToken.stderr).toContain("plex-diagnose: fix --undo needs the server owner's token");
    expect(undoNoToken.code).toBe(2);
    const noJournal = await box.run(['fix', '--undo', ...home.args(['--token', home.token])]);
    expect(noJournal.stderr.trimEnd().split('\n').at(-1)).toBe(
      `plex-diagnose: nothing to undo: there is no undo journal at ${defaultJournal(box)}`,
    );
    expect(noJournal.code).toBe(2);
    expect(prefPuts(home)).toEqual([]);
  });
});
