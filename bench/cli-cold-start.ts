/**
 * CLI cold start on a fresh build (lib/build-cli.ts): `plex-diagnose --version` and `--help` against `node -e 0`
 * (target ≤ 1.2×: heavy modules load lazily), and the time from spawning `plex-diagnose --url <fake>` to the first
 * request the fake server receives. Medians of several spawns, run interleaved so machine noise hits all alike.
 *
 * Run alone: `npx tsx bench/cli-cold-start.ts [--reps 31]`
 */
import { spawn, spawnSync } from 'node:child_process';
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

function spawnMs(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

/** Spawns a diagnosis against a loopback server and resolves with the ms until its first request arrives. */
async function firstRequestMs(cli: string, env: NodeJS.ProcessEnv): Promise<number> {
  let started = 0;
  let arrived: (ms: number) => void = () => undefined;
  const first = new Promise<number>((resolve) => (arrived = resolve));
  const server = await startLoopbackServer((_request, response) => {
    arrived(performance.now() - started);
    response.writeHead(503).end();
  });
  // Every LAN probe pointed at a closed loopback port: no packet of the bench leaves the machine.
  const args = [
    cli,
    '--url',
    server.url,
    '--no-plextv',
    '--timeout',
    '2s',
    '--ssdp-address',
    '127.0.0.1:9',
    '--natpmp-gateway',
    '127.0.0.1:9',
    '--gdm-target',
    '127.0.0.1:9',
  ];
  started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  try {
    return await Promise.race([
      first,
      new Promise<number>((_, reject) =>
        child.once('exit', (code) => reject(new Error(`the CLI exited (${String(code)}) before any request`))),
      ),
    ]);
  } finally {
    child.kill('SIGKILL');
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
  };
  spawnMs(['-e', '0'], env); // warm the file cache
  spawnMs([cli.bin, '--version'], env);
  for (let i = 0; i < REPS; i++) {
    samples.node.push(spawnMs(['-e', '0'], env));
    samples.floor.push(spawnMs([floor], env));
    samples.cjsFloor.push(spawnMs([cjsFloor], env));
    samples.version.push(spawnMs([cli.bin, '--version'], env));
    samples.help.push(spawnMs([cli.bin, '--help'], env));
    if (i < FIRST_REQUEST_REPS) samples.first.push(await firstRequestMs(cli.bin, env));
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
  report({
    name: 'plex-diagnose --url <fake>: process start → first request received',
    value: median(samples.first),
    unit: 'ms',
    baseline: { label: 'node -e 0', value: baseline },
    note: `min ${Math.min(...samples.first).toFixed(1)}, max ${Math.max(...samples.first).toFixed(1)} ms; includes loading the diagnosis modules and token discovery`,
  });
} finally {
  await rm(home, { recursive: true, force: true });
  await cli.remove();
}
