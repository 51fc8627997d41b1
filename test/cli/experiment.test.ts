/**
 * `--experiment alternate-port` against a home whose ISP drops inbound 32400, with the router's UPnP IGD given by
 * --upnp-location: the experiment maps a random high port, points Plex at it, and plex.tv's verdict on that port turns
 * isp-blocks-port into proof. Whatever happens (success, --keep, Ctrl-C midway, a kill), the server's prefs and the
 * router's mapping table end exactly as they were, unless --keep asked otherwise.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { createSandbox, waitForOutput, type CliResult, type CliSandbox } from './helpers/run-cli.js';
import { SERVER_LAN, startHome, type Home, type HomeOptions } from './helpers/home.js';
import { findings, parseReport } from './helpers/report-shape.js';

/** A home and a sandbox of the test's own (the tests run concurrently), closed when the test ends. */
async function setup(context: TestContext, options: HomeOptions): Promise<{ home: Home; box: CliSandbox }> {
  const [home, box] = await Promise.all([startHome(options), createSandbox()]);
  context.onTestFinished(async () => {
    await Promise.allSettled([home.close(), box.cleanup()]);
  });
  return { home, box };
}

/** Everything the experiment may touch: the server's prefs and the router's table. */
const stateOf = (home: Home) => ({ prefs: { ...home.server.state.prefs }, mappings: home.igd.mappings() });
const journalOf = (box: CliSandbox): string => join(box.configDir, 'alternate-port-journal.json');
const experiment = (home: Home, extra: string[] = []): string[] =>
  home.args(['--token', home.token, '--experiment', 'alternate-port', ...extra]);
const noToken = (home: Home, result: CliResult): void =>
  expect(result.stdout + result.stderr).not.toContain(home.token);
/** The alternate port the experiment picked, from its progress lines. */
const alternatePort = (stderr: string): number => Number(/experiment: add-mapping: (\d+) → /.exec(stderr)?.[1]);

describe.concurrent('--experiment alternate-port', () => {
  it('proves the ISP block: isp-blocks-port/proven with high confidence, and every change restored', async (context) => {
    const { home, box } = await setup(context, { ispBlockedPorts: [32400] });
    const before = stateOf(home);
    const result = await box.run(experiment(home, ['--yes', '--json']));
    noToken(home, result);
    const report = parseReport(result.stdout);
    expect(report.diagnoses[0]).toMatchObject({
      ruleId: 'isp-blocks-port',
      messageId: 'proven',
      confidence: 'high',
      rank: 'root-cause',
    });
    expect(report.context.experiments).toEqual(['alternate-port']);
    const port = alternatePort(result.stderr);
    expect(port).toBeGreaterThanOrEqual(40000);
    expect(report.diagnoses[0]!.fix?.actions).toEqual([
      { type: 'set-pref', pref: 'ManualPortMappingMode', value: true },
      { type: 'set-pref', pref: 'ManualPortMappingPort', value: port },
    ]);
    // Explained before it ran, each step as it happened, and the outcome.
    expect(result.stderr).toContain(
      'The alternate-port experiment tests whether your ISP blocks the public port. It will:',
    );
    for (const step of [
      'read-state',
      'add-mapping',
      'write-journal',
      'set-prefs',
      'refresh-reachability',
      'poll-account',
      'restore-prefs',
      'delete-mapping',
      'remove-journal',
    ]) {
      expect(result.stderr).toContain(`  experiment: ${step}`);
    }
    expect(result.stderr).toContain(`experiment alternate-port on port ${port}: reachable; every change was restored`);
    expect(result.code).toBe(1);
    // During the run the router really mapped the port and Plex really used it; now both are back.
    expect(home.igd.requests.soap.map((s) => s.action)).toEqual(
      expect.arrayContaining(['AddPortMapping', 'DeletePortMapping']),
    );
    expect(home.server.requests.filter((r) => r.path === '/myplex/refreshReachability')).toHaveLength(1);
    expect(stateOf(home)).toEqual(before);
    expect(existsSync(journalOf(box))).toBe(false);
  });

  it('--keep keeps a working port: Plex on the alternate port, the router mapping made permanent', async (context) => {
    const { home, box } = await setup(context, { ispBlockedPorts: [32400] });
    const result = await box.run(experiment(home, ['--yes', '--keep', '--no-color']));
    const port = alternatePort(result.stderr);
    expect(result.stderr).toContain(
      `experiment alternate-port on port ${port}: reachable; kept: Plex now uses that port and the router mapping is permanent`,
    );
    expect(result.stdout).toContain('(the experiment kept its UPnP mapping for you)');
    expect(home.server.state.prefs.ManualPortMappingMode).toBe('1');
    expect(home.server.state.prefs.ManualPortMappingPort).toBe(String(port));
    expect(home.igd.mappings()).toContainEqual(
      expect.objectContaining({
        externalPort: port,
        internalClient: SERVER_LAN,
        internalPort: home.server.port,
        leaseSeconds: 0,
      }),
    );
    // Kept means working: the next plain diagnosis is clean.
    const next = await box.run(home.args(['--token', home.token, '--json']));
    expect(findings(parseReport(next.stdout))).toEqual([]);
  });

  it('Ctrl-C midway (after Plex was pointed at the test port): everything is put back, exit 130', async (context) => {
    // Every port filtered: plex.tv's verdict on the test port stays "failed", which the experiment does not believe
    // for 10 s (it may be the old port's), so the run is waiting when the signal comes.
    const { home, box } = await setup(context, { ispBlockedPorts: 'all' });
    const before = stateOf(home);
    let changedMidway: ReturnType<typeof stateOf> | undefined;
    const result = await box.run(experiment(home, ['--yes']), {
      onSpawn: (child) => {
        void waitForOutput(child, 'stderr', /experiment: set-prefs: /).then(() => {
          changedMidway = stateOf(home);
          child.kill('SIGINT');
        });
      },
    });
    noToken(home, result);
    // The interruption really came midway: Plex was on the test port and the router had the mapping.
    const port = alternatePort(result.stderr);
    expect(changedMidway?.prefs.ManualPortMappingPort).toBe(String(port));
    expect(changedMidway?.mappings.map((m) => m.externalPort)).toContain(port);
    expect(result.stderr).toContain('plex-diagnose: SIGINT: stopping (restoring any changes first');
    expect(result.stderr).toMatch(
      new RegExp(
        `experiment alternate-port on port ${port}: (inconclusive|not-run) \\(aborted\\); every change was restored`,
      ),
    );
    expect(result.stderr).toContain('interrupted: the diagnosis is incomplete');
    expect(result.code).toBe(130);
    expect(stateOf(home)).toEqual(before);
    expect(existsSync(journalOf(box))).toBe(false);
  });

  it('killed midway (no chance to restore): the journal stays, and the next run with the token restores from it', async (context) => {
    const { home, box } = await setup(context, { ispBlockedPorts: 'all' });
    const before = stateOf(home);
    const killed = await box.run(experiment(home, ['--yes']), {
      onSpawn: (child) =>
        void waitForOutput(child, 'stderr', /experiment: set-prefs: /).then(() => child.kill('SIGKILL')),
    });
    expect(killed.signal).toBe('SIGKILL');
    const port = alternatePort(killed.stderr);
    expect(home.server.state.prefs.ManualPortMappingPort).toBe(String(port));
    expect(existsSync(journalOf(box))).toBe(true);
    expect(statSync(journalOf(box)).mode & 0o777).toBe(0o600);
    expect(readFileSync(journalOf(box), 'utf8')).not.toContain(home.token);

    const next = await box.run(home.args(['--token', home.token, '--json']));
    expect(next.stderr).toContain('restored what an interrupted experiment had changed');
    expect(stateOf(home)).toEqual(before);
    expect(existsSync(journalOf(box))).toBe(false);
    expect(parseReport(next.stdout).context.experiments).toEqual([]);
  });

  it('a corrupt journal from a killed run: the next experiment changes nothing and never says "restored"', async (context) => {
    const { home, box } = await setup(context, { ispBlockedPorts: 'all' });
    const killed = await box.run(experiment(home, ['--yes']), {
      onSpawn: (child) =>
        void waitForOutput(child, 'stderr', /experiment: set-prefs: /).then(() => child.kill('SIGKILL')),
    });
    expect(killed.signal).toBe('SIGKILL');
    const port = String(alternatePort(killed.stderr));
    writeFileSync(journalOf(box), '{"version": 1, "trunc');
    const next = await box.run(experiment(home, ['--yes']));
    noToken(home, next);
    // The server is still on the test port: the run must say the journal is unusable and that it changed nothing.
    expect(home.server.state.prefs.ManualPortMappingPort).toBe(port);
    expect(next.stderr).toMatch(/an interrupted experiment could not be fully restored: .*is not valid/);
    expect(next.stderr).toMatch(/experiment alternate-port: not-run .*; this run changed nothing/);
    expect(next.stderr).not.toContain('every change was restored');
  });

  it('asks first: without --yes and without a terminal it explains, then stops with exit 2 and changes nothing', async (context) => {
    const { home, box } = await setup(context, { ispBlockedPorts: [32400] });
    const before = stateOf(home);
    const soap = home.igd.requests.soap.length;
    const result = await box.run(experiment(home));
    expect(result.stderr).toContain('The alternate-port experiment tests whether your ISP blocks the public port.');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
      'plex-diagnose: --experiment changes settings on your server and router: pass --yes to run it without a prompt',
    );
    expect(result.code).toBe(2);
    expect(home.igd.requests.soap.slice(soap)).toEqual([]);
    expect(stateOf(home)).toEqual(before);
  });

  it("needs the owner's token: exit 2 before anything changes", async (context) => {
    const { home, box } = await setup(context, { ispBlockedPorts: [32400] });
    const soap = home.igd.requests.soap.length;
    const result = await box.run(home.args(['--experiment', 'alternate-port', '--yes']));
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
      "plex-diagnose: --experiment alternate-port needs the server owner's token (it changes a server setting)",
    );
    expect(result.code).toBe(2);
    expect(home.igd.requests.soap.slice(soap)).toEqual([]);
  });
});
