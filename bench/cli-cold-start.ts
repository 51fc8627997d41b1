/**
 * CLI cold start on a fresh build (lib/build-cli.ts): `plex-diagnose --version` and `--help` against `node -e 0`
 * (target ≤ 1.2×: heavy modules load lazily), the time from spawning `plex-diagnose --url <fake>` to the first
 * request the fake server receives (target ≤ 3× `node -e 0`; also the CPU the CLI process used by then, read from
 * /proc/<pid>/stat, which a loaded machine inflates less than wall time). Medians of several spawns, run interleaved
 * so machine noise hits all alike. The library's import time has its own bench: library-import.ts.
 *
 * Run alone: `npx tsx bench/cli-cold-start.ts [--reps 31]`
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackServer } from '../src/testing/http-server.js';
import { buildCli } from './lib/build-cli.js';
import { median, numberArg, report, section } from './lib/figures.js';

const REPS = numberArg('reps', 31);
// A diagnosis spawn costs ~10× a --version spawn: fewer of them.
const FIRST_REQUEST_REPS = Math.max(3, Math.round(REPS / 3));
const TARGET_RATIO = 1.2;
const FIRST_REQUEST_TARGET_RATIO = 3;

/** CPU milliseconds (user + system) a live process has used so far (Linux /proc; 10 ms ticks). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU milliseconds of this process's waited-for children so far (cutime + cstime). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function spawnMs(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

/** Every LAN probe pointed at a closed loopback port: no packet of the bench leaves the machine. */
function diagnosisArgs(cli: string, url: string): string[] {
  return [cli, '--url', url, '--no-plextv', '--timeout', '2s'].concat([
    '--ssdp-address',
    '127.0.0.1:9',
    '--natpmp-gateway',
    '127.0.0.1:9',
    '--gdm-target',
    '127.0.0.1:9',
  ]);
}

/**
 * One whole diagnosis, to its exit: the launcher writes its V8 code cache when a run exits (the measured runs are
 * killed at their first request, so they never would). A user's second run on, as measured here.
 */
async function completeRun(cli: string, env: NodeJS.ProcessEnv): Promise<void> {
  const server = await startLoopbackServer((_request, response) => response.writeHead(503).end());
  try {
    const child = spawn(process.execPath, diagnosisArgs(cli, server.url), { env, stdio: 'ignore' });
    await once(child, 'exit');
  } finally {
    await server.close();
  }
}

/** Spawns a diagnosis against a loopback server and resolves with the ms until its first request arrives. */
async function firstRequestMs(cli: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; cpuMs: number }> {
  let started = 0;
  let child: ReturnType<typeof spawn> | undefined;
  let arrived: (sample: { ms: number; cpuMs: number }) => void = () => undefined;
  const first = new Promise<{ ms: number; cpuMs: number }>((resolve) => (arrived = resolve));
  const server = await startLoopbackServer((_request, response) => {
    const ms = performance.now() - started;
    arrived({ ms, cpuMs: child?.pid ? cpuMsOf(child.pid) : Number.NaN });
    response.writeHead(503).end();
  });
  const args = diagnosisArgs(cli, server.url);
  started = performance.now();
  const spawned = spawn(process.execPath, args, { env, stdio: 'ignore' });
  child = spawned;
  try {
    return await Promise.race([
      first,
      new Promise<never>((_, reject) =>
        spawned.once('exit', (code) => reject(new Error(`the CLI exited (${String(code)}) before any request`))),
      ),
    ]);
  } finally {
    spawned.kill('SIGKILL');
    await server.close();
  }
}

const cli = await buildCli();
const home = await mkdtemp(join(tmpdir(), 'pd-bench-'));
// The floor for any ESM command-line program: a one-line module (Node's ESM loader costs a few ms over `-e`).
const floor = join(home, 'empty.mjs');
await writeFile(floor, 'process.stdout.write("0\\n");\n');
// The same as CommonJS: what a CJS launcher answering --version before importing the ESM CLI would cost.
const cjsFloor = join(home, 'empty.cjs');
await writeFile(cjsFloor, 'process.stdout.write("0\\n");\n');
// A clean environment: no token, config or Plex install of the machine's user may change what the CLI does.
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: home,
  PLEX_DIAGNOSE_CONFIG_DIR: join(home, 'config'),
  NO_COLOR: '1',
};
section(`CLI cold start (fresh build, ${REPS} spawns each, interleaved; ${FIRST_REQUEST_REPS} diagnosis spawns)`);
try {
  const samples = {
    node: [] as number[],
    floor: [] as number[],
    cjsFloor: [] as number[],
    version: [] as number[],
    help: [] as number[],
    first: [] as number[],
    firstCpu: [] as number[],
    nodeCpu: [] as number[],
  };
  spawnMs(['-e', '0'], env); // warm the file cache
  spawnMs([cli.bin, '--version'], env);
  await completeRun(cli.bin, env);
  for (let i = 0; i < REPS; i++) {
    const cpuBefore = childrenCpuMs();
    samples.node.push(spawnMs(['-e', '0'], env));
    samples.nodeCpu.push(childrenCpuMs() - cpuBefore);
    samples.floor.push(spawnMs([floor], env));
    samples.cjsFloor.push(spawnMs([cjsFloor], env));
    samples.version.push(spawnMs([cli.bin, '--version'], env));
    samples.help.push(spawnMs([cli.bin, '--help'], env));
    if (i < FIRST_REQUEST_REPS) {
      const sample = await firstRequestMs(cli.bin, env);
      samples.first.push(sample.ms);
      samples.firstCpu.push(sample.cpuMs);
    }
  }
  const baseline = median(samples.node);
  console.log(`    node -e 0: median ${baseline.toFixed(1)} ms (min ${Math.min(...samples.node).toFixed(1)})`);
  console.log(
    `    a one-line ESM file (the floor for an ESM CLI): median ${median(samples.floor).toFixed(1)} ms = ${(median(samples.floor) / baseline).toFixed(2)} × node -e 0`,
  );
  console.log(
    `    a one-line CommonJS file: median ${median(samples.cjsFloor).toFixed(1)} ms = ${(median(samples.cjsFloor) / baseline).toFixed(2)} × node -e 0`,
  );
  for (const [name, values] of [
    ['--version', samples.version],
    ['--help', samples.help],
  ] as const) {
    report({
      name: `plex-diagnose ${name} / node -e 0`,
      value: median(values) / baseline,
      unit: '×',
      target: TARGET_RATIO,
      note: `median ${median(values).toFixed(1)} ms vs ${baseline.toFixed(1)} ms; ${(median(values) / median(samples.floor)).toFixed(2)} × the one-line ESM file`,
    });
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  report({
    name: 'plex-diagnose --url <fake>: process start → first request / node -e 0',
    value: median(samples.first) / baseline,
    unit: '×',
    target: FIRST_REQUEST_TARGET_RATIO,
    note: `median ${median(samples.first).toFixed(0)} ms (min ${Math.min(...samples.first).toFixed(0)}, max ${Math.max(...samples.first).toFixed(0)}) vs ${baseline.toFixed(1)} ms; CPU used by then ${mean(samples.firstCpu).toFixed(0)} ms vs ${mean(samples.nodeCpu).toFixed(0)} ms for node -e 0 (means of 10 ms ticks) = ${(mean(samples.firstCpu) / mean(samples.nodeCpu)).toFixed(2)}×; includes loading the diagnosis modules and token discovery`,
  });
} finally {
  await rm(home, { recursive: true, force: true });
  await cli.remove();
}
