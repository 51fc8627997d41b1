/**
 * What the user waits for on a real LAN (issue 17 item 5): in each lab scenario (test/lab/scenarios.ts, plus a
 * "silent router" that drops NAT-PMP), the whole CLI run from the LAN host, exactly as the lab's scenario tests run it
 * (`node dist/cli.js --json --url ... --timeout 4s`, a plain-host wrapper, `env -i`), against that scenario's FLOOR:
 * the silent waits derived from the configured values in src (bench/lab-floor.ts) + `node -e 0` + one collection-free
 * run of the same CLI (`analyze` of a snapshot collected in that lab: loading, analysis and the report, no network).
 * Interleaved: node -e 0, analyze, diagnose, per repetition; medians; the load average with each scenario.
 * Needs root and `npm run build` (the lab runs dist/); without root it says so in one line and exits 0.
 *
 * Run alone: `npx tsx bench/lab-scenarios.ts [--reps 5] [--only id,id]`
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { median, numberArg, report, section } from './lib/figures.js';

if (process.getuid?.() !== 0) {
  console.log('lab scenarios: skipped (needs root for network namespaces; run `sudo npx tsx bench/lab-scenarios.ts`)');
  process.exit(0);
}

const { startLab } = await import('../test/lab/harness/index.js');
const { distDir } = await import('../test/lab/harness/paths.js');
const { cliArgv, cliEnv, onPlainHost } = await import('../test/lab/cli-run.js');
const { LAB_SCENARIOS } = await import('../test/lab/scenarios.js');
const { silentWaits } = await import('./lab-floor.js');
type Lab = Awaited<ReturnType<typeof startLab>>;

const REPS = numberArg('reps', 5);
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? new Set(process.argv[onlyIndex + 1]?.split(',')) : undefined;

interface BenchScenario {
  id: string;
  lab: (typeof LAB_SCENARIOS)[number]['lab'];
  prepare?: (lab: Lab) => Promise<void>;
  /** The router drops NAT-PMP (UDP 5351) instead of refusing it: a router that says nothing at all. */
  natPmpDropped?: boolean;
}

// The experiment scenario is left out: its floor is the experiment's own waits (two plex.tv connect-backs), not
// discovery; it is timed by its lab test.
const silentRouter: BenchScenario = {
  id: 'silent-router',
  lab: { name: 'silent-router', plex: { portMapping: 'automatic' } },
  natPmpDropped: true,
  prepare: async (lab) => {
    const rules =
      'table inet silent {\n chain input {\n  type filter hook input priority 0;\n  udp dport 5351 drop\n }\n}\n';
    const run = await lab.exec('rtr', ['nft', '-f', '-'], { input: rules, timeoutMs: 5000 });
    if (run.code !== 0) throw new Error(`nft in rtr failed: ${run.stderr}`);
  },
};
const scenarios: BenchScenario[] = [
  ...LAB_SCENARIOS.filter((s) => s.id !== 'isp-blocks-experiment').map((s) => ({
    id: s.id,
    lab: s.lab,
    ...(s.prepare ? { prepare: s.prepare } : {}),
  })),
  silentRouter,
].filter((s) => !only || only.has(s.id));

const envArgs = (lab: Lab): string[] => Object.entries(cliEnv(lab)).map(([key, value]) => `${key}=${value}`);
const timed = async (lab: Lab, argv: string[]) => {
  const started = performance.now();
  const result = await lab.exec('lan', onPlainHost(lab, ['/usr/bin/env', '-i', ...envArgs(lab), ...argv]), {
    timeoutMs: 60_000,
  });
  return { ms: performance.now() - started, result };
};

interface CliJson {
  timing?: { collectMs: number };
  observations?: { id: string; status: string; durationMs: number; error?: { code?: string } }[];
}

section(`lab scenarios: the whole CLI run vs its floor (${REPS} interleaved runs each, from the LAN host)`);
console.log(`    dist: ${distDir()}`);
for (const scenario of scenarios) {
  const lab = await startLab(scenario.lab);
  try {
    await scenario.prepare?.(lab);
    const collected = await timed(lab, cliArgv(lab, [], 'collect'));
    const snapshotFile = join(lab.dir, 'bench-snapshot.json');
    writeFileSync(snapshotFile, collected.result.stdout);
    const analyzeArgv = [process.execPath, join(distDir(), 'cli.js'), 'analyze', snapshotFile, '--json'];
    const nodeE0: number[] = [];
    const analyze: number[] = [];
    const cli: number[] = [];
    const collectMs: number[] = [];
    const slow = new Map<string, number[]>();
    const loads: number[] = [];
    for (let i = 0; i < REPS; i++) {
      loads.push(loadavg()[0]!);
      nodeE0.push((await timed(lab, [process.execPath, '-e', '0'])).ms);
      analyze.push((await timed(lab, analyzeArgv)).ms);
      const run = await timed(lab, cliArgv(lab));
      cli.push(run.ms);
      const parsed = JSON.parse(run.result.stdout || '{}') as CliJson;
      if (parsed.timing) collectMs.push(parsed.timing.collectMs);
      for (const o of parsed.observations ?? []) {
        const key = `${o.id}${o.error?.code ? ` ${o.error.code}` : ''}`;
        slow.set(key, [...(slow.get(key) ?? []), o.durationMs]);
      }
    }
    const waits = silentWaits(scenario.lab, { natPmpDropped: scenario.natPmpDropped ?? false });
    const silent = waits[0]?.ms ?? 0;
    const floor = silent + median(analyze);
    const slowest = [...slow.entries()]
      .map(([id, ms]) => [id, median(ms)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([id, ms]) => `${id} ${ms.toFixed(0)}`)
      .join(', ');
    report({
      name: `lab ${scenario.id}: CLI wall / floor`,
      value: median(cli) / floor,
      unit: '×',
      target: 1.2,
      note:
        `CLI ${median(cli).toFixed(0)} ms; floor ${floor.toFixed(0)} ms = ${waits.length ? `${waits[0]!.what} ${silent}` : 'no silent wait'}` +
        ` + collection-free run ${median(analyze).toFixed(0)} (node -e 0 ${median(nodeE0).toFixed(0)} + load/analysis/report ${(median(analyze) - median(nodeE0)).toFixed(0)});` +
        ` collection ${median(collectMs).toFixed(0)} ms; slowest observations (ms): ${slowest}; load ${median(loads).toFixed(1)}`,
    });
  } finally {
    await lab.stop();
  }
}
