/**
 * Issue 7's scenarios, end to end: a real network per scenario (NAT, forwards, UPnP, CGNAT, a Docker-style bridge, a
 * rebinding-protecting resolver), the built CLI run on the server's LAN host with `--json`, and its top diagnosis and
 * exit code checked against what the scenario is. The list and the reasoning behind each answer: scenarios.ts.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { withLab, type Lab } from './harness/index.js';
import { runCli, summarize, type CliRun } from './cli-run.js';
import { LAB_SCENARIOS, upnpcList, type UpnpcMapping } from './scenarios.js';
import { describeLab, fromInternet, readAccount } from './support.js';

/** What the CLI printed for each scenario, for the closing note of issue 7. */
const printed: string[] = [];

async function readPrefs(lab: Lab, ids: readonly string[]): Promise<Record<string, string>> {
  const answer = await lab.http('lan', {
    url: `${lab.plex!.url}/:/prefs`,
    headers: { 'X-Plex-Token': lab.token, Accept: 'application/json' },
  });
  const settings =
    (JSON.parse(answer.body ?? '{}') as { MediaContainer?: { Setting?: { id: string; value: unknown }[] } })
      .MediaContainer?.Setting ?? [];
  return Object.fromEntries(ids.map((id) => [id, String(settings.find((s) => s.id === id)?.value)]));
}

interface RouterAndServerState {
  mappings: UpnpcMapping[];
  prefs: Record<string, string>;
}

const MAPPING_PREFS = ['ManualPortMappingMode', 'ManualPortMappingPort'] as const;

async function routerAndServerState(lab: Lab): Promise<RouterAndServerState> {
  return { mappings: await upnpcList(lab), prefs: await readPrefs(lab, MAPPING_PREFS) };
}

/** Checks every scenario shares: the token is nowhere in the output, no rule crashed, and the report is what we asked for. */
function commonChecks(lab: Lab, run: CliRun): void {
  expect(run.result.timedOut).toBe(false);
  expect(`${run.result.stdout}\n${run.result.stderr}`).not.toContain(lab.token);
  expect(run.report, summarize(run)).toBeDefined();
  const checks = (run.report!.checks ?? []) as { ruleId: string; status: string; reason?: string }[];
  expect(
    checks.filter((c) => c.status === 'crashed'),
    summarize(run),
  ).toEqual([]);
}

describeLab("scenarios: the CLI on the server's LAN names the cause", () => {
  afterAll(() => {
    if (printed.length > 0) console.info(`lab scenarios, top diagnosis as the CLI printed it:\n${printed.join('\n')}`);
  });

  for (const scenario of LAB_SCENARIOS) {
    it(`${scenario.id}: ${scenario.title}`, async () => {
      await withLab(scenario.lab, async (lab) => {
        await scenario.prepare?.(lab);
        const experiment = scenario.args?.includes('alternate-port');
        const before = experiment ? await routerAndServerState(lab) : undefined;

        const run = await runCli(lab, scenario.args ?? []);
        commonChecks(lab, run);
        const top = run.top;
        printed.push(
          `  ${scenario.id.padEnd(26)} ${top ? `${top.ruleId}/${top.messageId} (${top.confidence}, ${top.rank})` : 'no diagnosis'}, exit ${run.result.code}`,
        );

        if (scenario.top === null) {
          // Healthy: no warning or error at all (not even an info).
          expect(run.report!.diagnoses, summarize(run)).toEqual([]);
          expect(run.report!.summary, summarize(run)).toMatchObject({ status: 'ok', errors: 0, warnings: 0, infos: 0 });
        } else {
          expect(
            { ruleId: top?.ruleId, messageId: top?.messageId, confidence: top?.confidence, rank: top?.rank },
            summarize(run),
          ).toEqual({ ...scenario.top, rank: 'root-cause' });
        }
        expect(run.result.code, summarize(run)).toBe(scenario.exitCode);

        if (before) {
          // The experiment really opened another port through the real NAT, and then put everything back.
          const evidence = top!.evidence as { source: string; observed: string }[];
          expect(evidence.some((e) => e.source === 'experiment.alternatePort')).toBe(true);
          const altPort = Number(top!.data && (top!.data as Record<string, unknown>).altPort);
          expect(altPort).toBeGreaterThan(1024);
          // Before: automatic mode and Plex's own UPnP mapping of 32400; after: exactly that again.
          expect(before.prefs).toEqual({ ManualPortMappingMode: 'false', ManualPortMappingPort: '32400' });
          expect(before.mappings).toEqual([
            expect.objectContaining({
              externalPort: 32400,
              internalClient: lab.addresses.serverIp,
              description: 'Plex Media Server',
            }),
          ]);
          expect(await routerAndServerState(lab)).toEqual(before);
          expect((await fromInternet(lab, altPort, { timeoutMs: 500 })).error?.code).toBe('ECONNREFUSED');
          expect(await readAccount(lab)).toMatchObject({ mappingState: 'failed' });
          // The undo journal is removed once everything is restored.
          expect(await readdir(join(lab.dir, 'cli-config')).catch(() => [])).not.toContain(
            'alternate-port-journal.json',
          );
        }
      });
    });
  }
});
