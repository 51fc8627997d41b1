/**
 * Side by side in the namespace lab (healthy home, miniupnpd with NAT-PMP): each router probe of the built package
 * against the C tool an owner runs by hand, from the LAN host, against the same router: NAT-PMP vs `natpmpc`, UPnP
 * (discovery, external address and every mapping) vs `upnpc -l`. Medians of several alternating runs, each a fresh
 * process; the probe figure is the probe's own wall time inside that process (module loading excluded, reported
 * apart), the C tool's is its whole run. Needs root and `npm run build` (the lab runs dist/); without root it says so
 * in one line and exits 0.
 *
 * Then the whole CLI run (`node dist/cli.js --json --url ...`, as the lab's scenario tests run it) against the manual
 * sequence a runbook gives, one command after another: `upnpc -l`, `natpmpc`, `curl` of the server's /identity and of
 * plex.tv's resources (the lab's stand-in), and a lookup of the server's plex.direct name through the LAN's resolver
 * (the lab's dnsmasq; `getent hosts`). Targets: CLI ≤ 0.25× the sequence, and CLI wall ≤ `node -e 0` + its own
 * collection (`timing.collectMs` of its JSON report) + 100 ms.
 *
 * Run alone: `npx tsx bench/lab-side-by-side.ts [--reps 7]`
 */
import { loadavg } from 'node:os';
import { median, numberArg, report, section } from './lib/figures.js';

if (process.getuid?.() !== 0) {
  console.log(
    'lab side-by-side: skipped (needs root for network namespaces; run `sudo npx tsx bench/lab-side-by-side.ts`)',
  );
  process.exit(0);
}

const { startLab } = await import('../test/lab/harness/index.js');
const { distDir } = await import('../test/lab/harness/paths.js');
const { cliArgv, cliEnv, onPlainHost } = await import('../test/lab/cli-run.js');

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

  // The whole CLI against the runbook, interleaved; the CLI and its node -e 0 both through the lab's plain-host
  // wrapper (as the scenario tests run it), so the wrapper's cost is on the CLI's side of every ratio.
  const plain = (argv: string[]): string[] =>
    onPlainHost(lab, ['/usr/bin/env', '-i', ...Object.entries(cliEnv(lab)).map(([k, v]) => `${k}=${v}`), ...argv]);
  const plexDirectName = `${lab.addresses.serverLanIp.replaceAll('.', '-')}.${lab.plex!.certificateHash}.plex.direct`;
  const runbook: string[][] = [
    ['upnpc', '-l'],
    ['natpmpc'],
    ['curl', '-sS', '-m', '10', `${lab.plex!.url}/identity`],
    [
      'curl',
      '-sS',
      '-m',
      '10',
      '-H',
      'Accept: application/json',
      '-H',
      `X-Plex-Token: ${lab.token}`,
      `${lab.plexTvUrl!}/api/v2/resources?includeHttps=1`,
    ],
    ['getent', 'hosts', plexDirectName],
  ];
  const sequence: number[] = [];
  const steps: number[][] = runbook.map(() => []);
  const cli: number[] = [];
  const collectMs: number[] = [];
  const plainNode: number[] = [];
  const loads: number[] = [];
  for (let i = 0; i < REPS; i++) {
    loads.push(loadavg()[0]!);
    plainNode.push((await timedExec(plain([process.execPath, '-e', '0']))).ms);
    let total = 0;
    for (const [index, argv] of runbook.entries()) {
      const step = await timedExec(argv);
      if (step.code !== 0) throw new Error(`runbook step ${argv[0]} failed (exit ${step.code})`);
      steps[index]!.push(step.ms);
      total += step.ms;
    }
    sequence.push(total);
    const run = await timedExec(plain(cliArgv(lab)));
    cli.push(run.ms);
    const timing = (JSON.parse(run.stdout || '{}') as { timing?: { collectMs: number } }).timing;
    if (timing) collectMs.push(timing.collectMs);
  }
  const stepNote = runbook.map((argv, i) => `${argv[0]} ${median(steps[i]!).toFixed(0)}`).join(', ');
  report({
    name: 'lab: whole CLI run / manual runbook sequence',
    value: median(cli) / median(sequence),
    unit: '×',
    target: 0.25,
    note: `CLI ${median(cli).toFixed(0)} ms vs sequence ${median(sequence).toFixed(0)} ms (${stepNote}); load ${median(loads).toFixed(1)}`,
  });
  const overhead = median(cli.map((ms, i) => ms - (plainNode[i] ?? Number.NaN) - (collectMs[i] ?? Number.NaN)));
  report({
    name: 'lab: CLI wall - node -e 0 - its collection (start-up, loading, reporting)',
    value: overhead,
    unit: 'ms',
    target: 100,
    note: `CLI ${median(cli).toFixed(0)} ms = node -e 0 ${median(plainNode).toFixed(0)} + collection ${median(collectMs).toFixed(0)} + the rest (median of per-run differences); load ${median(loads).toFixed(1)}`,
  });
} finally {
  await lab.stop();
}
