/**
 * The scenario presets end to end: each starts real loopback fakes, `diagnose` runs every built-in collector and rule
 * over them, and the expected root cause must head the report (issue 5, "Done when"). Also: a snapshot survives
 * JSON and `readSnapshot` unchanged, the token and the fakes' loopback endpoints never reach a snapshot, and a
 * scenario leaves nothing open behind it.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { collect } from '../../src/diagnose/collect.js';
import { analyze, diagnose, readSnapshot } from '../../src/diagnose/diagnose.js';
import { UsageError } from '../../src/core/errors.js';
import { ALTERNATE_PORT_COLLECTOR_ID, alternatePortCollector } from '../../src/experiments/alternate-port/collector.js';
import type { Report } from '../../src/core/report.js';
import {
  defineScenario,
  scenarios,
  startScenario,
  type RunningScenario,
  type Scenario,
} from '../../src/testing/scenarios/index.js';

const ALL = Object.values<Scenario>(scenarios);

async function withScenario<T>(which: string | Scenario, body: (run: RunningScenario) => Promise<T>): Promise<T> {
  const run = await startScenario(which);
  try {
    return await body(run);
  } finally {
    await run.close();
  }
}

/** Compact, readable failure output: what came first instead of the expected finding. */
function headline(report: Report): string[] {
  return report.diagnoses.map((d) => `${d.rank} ${d.severity}/${d.confidence} ${d.ruleId}/${d.messageId}`);
}

/** The fake router's table, read the way the UPnP probe reads it. */
async function listMappings(run: RunningScenario): Promise<string[]> {
  const result = await run.options.probes!.upnp!({ timeoutMs: 3000 });
  if (result.status !== 'ok') throw new Error(result.error.message);
  return result.value.mappings.map((m) => `${m.externalPort} → ${m.internalClient}:${m.internalPort}`);
}

function portRefuses(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('scenario presets', () => {
  it('has the twelve presets of issue 5, each with a root cause or "healthy"', () => {
    expect(Object.keys(scenarios).sort()).toEqual(
      [
        'cgnat',
        'custom-url-no-port',
        'dns-rebinding',
        'docker-bridge',
        'double-nat',
        'healthy',
        'isp-blocks-32400',
        'manual-port-mismatch',
        'not-signed-in',
        'relay-only',
        'remote-access-disabled',
        'vpn-on-server',
      ].sort(),
    );
    for (const scenario of ALL) expect(scenario.title.length).toBeGreaterThan(0);
  });

  describe.each(ALL.map((scenario) => [scenario.name, scenario] as const))('%s', (_name, scenario) => {
    it(
      scenario.expected === 'healthy' ? 'yields no warning or error' : 'puts its expected root cause first',
      async () => {
        const report = await withScenario(scenario, (run) => diagnose(run.options));
        expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([]);
        if (scenario.expected === 'healthy') {
          expect(headline({ ...report, diagnoses: report.diagnoses.filter((d) => d.severity !== 'info') })).toEqual([]);
          expect(report.summary.status === 'ok' || report.summary.status === 'info').toBe(true);
          // Issue 12: the deciding checks ran and passed, so the verdict is ok (never ok without them).
          expect(report.verdict, JSON.stringify(report.verdict.missing)).toEqual({ status: 'ok', missing: [] });
        } else {
          expect(report.verdict.status).not.toBe('ok');
          expect(report.diagnoses.length, headline(report).join('\n')).toBeGreaterThan(0);
          const [first] = report.diagnoses;
          const { also = [], ...expected } = scenario.expected;
          expect(
            { ruleId: first!.ruleId, messageId: first!.messageId, rank: first!.rank },
            headline(report).join('\n'),
          ).toEqual({ ...expected, rank: 'root-cause' });
          for (const finding of also)
            expect(report.diagnoses.map((d) => ({ ruleId: d.ruleId, messageId: d.messageId }))).toContainEqual(finding);
        }
      },
    );
  });
});

describe('collect → JSON → readSnapshot → analyze', () => {
  it.each(['isp-blocks-32400', 'docker-bridge', 'dns-rebinding'])(
    '%s: the reloaded snapshot gives the same report',
    async (name) => {
      await withScenario(name, async (run) => {
        const snapshot = await collect(run.options);
        const direct = analyze(snapshot);
        const reloaded = analyze(readSnapshot(JSON.stringify(snapshot)));
        expect(reloaded).toEqual(direct);
        expect(direct.diagnoses[0]?.ruleId).toBe((run.scenario.expected as { ruleId: string }).ruleId);
      });
    },
  );
});

describe('what a scenario shows', () => {
  it('never puts the token, or the loopback endpoints of the fake server and plex.tv, into the snapshot', async () => {
    const token = 'scenario-test-token-5b1f0e9c2d7a4e8f';
    const run = await startScenario('healthy', { token });
    try {
      const text = JSON.stringify(await collect({ ...run.options, include: ['probe.gdm'] }));
      expect(text).not.toContain(token);
      expect(text).not.toContain(new URL(run.server.url).host);
      expect(text).not.toContain(new URL(run.plexTv.url).host);
      // The addresses a user would see instead.
      expect(text).toContain('"url":"http://192.168.1.10:');
      expect(text).toContain('"ssdpFrom":"192.168.1.1"');
      expect(text).toContain('"gateway":"192.168.1.1","port":5351');
    } finally {
      await run.close();
    }
  });

  it("reads plex.tv's record from the real publish path", async () => {
    await withScenario('healthy', async (run) => {
      const published = run.plexTv.servers.get(run.server.machineIdentifier);
      expect(published?.request.localAddresses).toEqual(['192.168.1.10']);
      expect(run.server.state.account).toMatchObject({
        mappingState: 'mapped',
        publicAddress: '84.1.1.2',
        privateAddress: '192.168.1.10',
      });
    });
  });

  it('runs a user-defined scenario: a router without UPnP or NAT-PMP while Plex maps automatically', async () => {
    const noRouterHelp = defineScenario({
      name: 'no-upnp',
      title: 'No UPnP, no forward',
      description: 'The router offers neither UPnP nor NAT-PMP and nobody forwarded a port.',
      expected: { ruleId: 'no-port-forward', messageId: 'noAutomaticMapping' },
      network: { router: { upnp: false, natPmp: false } },
    });
    const report = await withScenario(noRouterHelp, (run) => diagnose(run.options));
    expect(headline(report)[0]).toBe('root-cause error/high no-port-forward/noAutomaticMapping');
  });

  it('refuses an unknown scenario name and a name that is not kebab-case', async () => {
    await expect(startScenario('no-such-scenario')).rejects.toThrow(UsageError);
    expect(() => defineScenario({ name: 'Not Kebab', title: '', description: '', expected: 'healthy' })).toThrow(
      /kebab-case/,
    );
  });
});

describe('the alternate-port experiment on a scenario', () => {
  it('turns isp-blocks-32400 into proof through the fake router, and puts the router and the server back', async () => {
    await withScenario('isp-blocks-32400', async (run) => {
      const mappingsBefore = await listMappings(run);
      const report = await diagnose({
        ...run.options,
        collectors: [alternatePortCollector({ waitMs: 10_000, pollIntervalMs: 100, settleMs: 300 })],
        include: [ALTERNATE_PORT_COLLECTOR_ID],
        experiments: ['alternate-port'],
      });
      expect(headline(report)[0]).toBe('root-cause error/high isp-blocks-port/proven');
      expect(run.server.state.prefs).toMatchObject({ ManualPortMappingMode: '0', ManualPortMappingPort: '32400' });
      expect(await listMappings(run)).toEqual(mappingsBefore);
    });
  });
});

describe('closing', () => {
  it('frees every port a scenario listened on', async () => {
    const run = await startScenario('isp-blocks-32400');
    await diagnose(run.options);
    await run.close();
    expect(await portRefuses(run.server.url)).toBe(true);
    expect(await portRefuses(run.plexTv.url)).toBe(true);
  });

  it('lets a process that ran a scenario exit by itself', async () => {
    const script = fileURLToPath(new URL('../fixtures/scenarios/run-and-exit.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, 'vpn-on-server'], {
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe('vpn-on-server: vpn-on-server/vpnDefaultRoute');
  });
});
