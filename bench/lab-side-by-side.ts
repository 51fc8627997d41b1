/**
 * Side by side in the namespace lab (healthy home, miniupnpd with NAT-PMP): each router probe of the built package
 * against the C tool an owner runs by hand, from the LAN host, against the same router: NAT-PMP vs `natpmpc`, UPnP
 * (discovery, external address and every mapping) vs `upnpc -l`. Medians of several alternating runs, each a fresh
 * process; the probe figure is the probe's own wall time inside that process (module loading excluded, reported
 * apart), the C tool's is its whole run. Needs root and `npm run build` (the lab runs dist/); without root it says so
 * in one line and exits 0.
 *
 * Run alone: `npx tsx bench/lab-side-by-side.ts [--reps 7]`
 */
import { median, numberArg, report, section } from './lib/figures.js';

if (process.getuid?.() !== 0) {
  console.log(
    'lab side-by-side: skipped (needs root for network namespaces; run `sudo npx tsx bench/lab-side-by-side.ts`)',
  );
  process.exit(0);
}

const { startLab } = await import('../test/lab/harness/index.js');
const { distDir } = await import('../test/lab/harness/paths.js');

const REPS = numberArg('reps', 7);
const probesUrl = `file://${distDir()}/probes.js`;
/** One probe in a fresh node process inside the LAN namespace: prints { loadMs, ms, status, attempts?, mappings? }. */
const probeScript = (call: string): string =>
  [
    'const t0 = performance.now();',
    `const m = await import(${JSON.stringify(probesUrl)});`,
    'const loadMs = performance.now() - t0;',
    'const t1 = performance.now();',
    `const r = await m.${call};`,
    'const ms = performance.now() - t1;',
    'console.log(JSON.stringify({ loadMs, ms, status: r.status, attempts: r.value?.attempts, mappings: r.value?.mappings?.length, error: r.error?.message }));',
  ].join('\n');

interface ProbeRun {
  loadMs: number;
  ms: number;
  status: string;
  attempts?: number;
  mappings?: number;
  error?: string;
}

const lab = await startLab({
  name: 'bench side by side',
  router: {
    upnp: 'miniupnpd',
    forwards: [{ externalPort: 32400, internalHost: '192.168.1.10', internalPort: 32400 }],
  },
  plex: { portMapping: 'automatic' },
});
section(`lab side by side (healthy home, miniupnpd; ${REPS} alternating runs each, from the LAN host)`);
try {
  const timedExec = async (argv: string[]): Promise<{ ms: number; stdout: string; code: number | null }> => {
    const started = performance.now();
    const result = await lab.exec('lan', argv, { timeoutMs: 15_000 });
    return { ms: performance.now() - started, stdout: result.stdout, code: result.code };
  };
  const probe = async (call: string): Promise<ProbeRun & { wallMs: number }> => {
    const run = await timedExec([process.execPath, '--input-type=module', '-e', probeScript(call)]);
    const parsed = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as ProbeRun;
    return { ...parsed, wallMs: run.ms };
  };
  const samples = { natpmpc: [] as number[], natpmp: [] as ProbeRun[], upnpc: [] as number[], upnp: [] as ProbeRun[] };
  const nodeE0: number[] = [];
  for (let i = 0; i < REPS; i++) {
    nodeE0.push((await timedExec([process.execPath, '-e', '0'])).ms);
    samples.natpmpc.push((await timedExec(['natpmpc'])).ms);
    samples.natpmp.push(await probe('probeNatPmp({ timeoutMs: 3000 })'));
    samples.upnpc.push((await timedExec(['upnpc', '-l'])).ms);
    samples.upnp.push(await probe('probeUpnp({ timeoutMs: 10000 })'));
  }
  const describe = (runs: ProbeRun[]): string =>
    `statuses ${[...new Set(runs.map((r) => r.status))].join('/')}; attempts ${runs.map((r) => r.attempts ?? '-').join(',')}; mappings ${runs.map((r) => r.mappings ?? '-').join(',')}; module load median ${median(runs.map((r) => r.loadMs)).toFixed(0)} ms${runs.find((r) => r.error) ? `; ${runs.find((r) => r.error)!.error}` : ''}`;
  report({
    name: 'lab: NAT-PMP probe / natpmpc',
    value: median(samples.natpmp.map((r) => r.ms)) / median(samples.natpmpc),
    unit: '×',
    target: 1,
    note: `probe ${median(samples.natpmp.map((r) => r.ms)).toFixed(1)} ms vs natpmpc ${median(samples.natpmpc).toFixed(1)} ms (whole process); ${describe(samples.natpmp)}`,
  });
  report({
    name: 'lab: UPnP probe / upnpc -l',
    value: median(samples.upnp.map((r) => r.ms)) / median(samples.upnpc),
    unit: '×',
    target: 1,
    note: `probe ${median(samples.upnp.map((r) => r.ms)).toFixed(0)} ms vs upnpc -l ${median(samples.upnpc).toFixed(0)} ms (whole process); ${describe(samples.upnp)}`,
  });
  console.log(`    node -e 0 in the LAN namespace: median ${median(nodeE0).toFixed(0)} ms`);
} finally {
  await lab.stop();
}
