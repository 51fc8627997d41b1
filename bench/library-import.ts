/**
 * Library import time: `import('plex-diagnose')` (ESM) and `require('plex-diagnose')` (CommonJS) of the root entry, each
 * in a fresh process, on a fresh build (lib/build-cli.ts). Measured inside the process around the import alone (node's
 * own start-up excluded), wall and CPU time; target ≤ 30 ms. Interleaved with `node -e 0` (reported for scale: a
 * loaded machine inflates both alike) and repeated; medians. Also says which heavy dependencies the import loaded
 * (CommonJS: read from require.cache), since zod and undici are most of it.
 *
 * Run alone: `npx tsx bench/library-import.ts [--reps 15]`
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildCli } from './lib/build-cli.js';
import { median, numberArg, report, section } from './lib/figures.js';

const REPS = numberArg('reps', 15);
const TARGET_MS = 30;
const HEAVY = ['zod', 'undici', 'fast-xml-parser', 'dns-packet', 'ipaddr.js', 'prom-client', 'qrcode-generator'];

interface Sample {
  ms: number;
  cpuMs: number;
  loaded: string[];
}

function importSample(entry: string, format: 'esm' | 'cjs'): Sample {
  const load = format === 'esm' ? `await import(${JSON.stringify(entry)});` : `require(${JSON.stringify(entry)});`;
  const loaded =
    format === 'cjs'
      ? `Object.keys(require.cache).map((f)=>f.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//)?.[1]).filter((n)=>${JSON.stringify(HEAVY)}.includes(n))`
      : '[]';
  const script = `const c=process.cpuUsage();const t=performance.now();${load}const ms=performance.now()-t;const u=process.cpuUsage(c);console.log(JSON.stringify({ms,cpuMs:(u.user+u.system)/1000,loaded:[...new Set(${loaded})]}))`;
  const result = spawnSync(process.execPath, [...(format === 'esm' ? ['--input-type=module'] : []), '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) throw new Error(`importing ${entry} failed: ${result.stderr.toString()}`);
  return JSON.parse(result.stdout.toString()) as Sample;
}

function nodeMs(): number {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return performance.now() - started;
}

const built = await buildCli();
section(`Library import, root entry, fresh process (${REPS} runs each, interleaved with node -e 0)`);
try {
  const load = loadavg()[0]!.toFixed(2);
  const node: number[] = [];
  const esm: Sample[] = [];
  const cjs: Sample[] = [];
  importSample(join(built.dir, 'index.cjs'), 'cjs'); // warm the file cache
  for (let i = 0; i < REPS; i++) {
    node.push(nodeMs());
    esm.push(importSample(join(built.dir, 'index.js'), 'esm'));
    cjs.push(importSample(join(built.dir, 'index.cjs'), 'cjs'));
  }
  const loaded = [...new Set(cjs.flatMap((sample) => sample.loaded))];
  for (const [label, samples] of [
    ['ESM, import()', esm],
    ['CommonJS, require', cjs],
  ] as const) {
    report({
      name: `library import (${label} of the root entry in a fresh process)`,
      value: median(samples.map((sample) => sample.ms)),
      unit: 'ms',
      target: TARGET_MS,
      note: `CPU ${median(samples.map((sample) => sample.cpuMs)).toFixed(0)} ms; node -e 0 (whole process) ${median(node).toFixed(0)} ms; load average ${load} at the start${label.startsWith('CommonJS') ? `; heavy dependencies loaded: ${loaded.join(', ') || 'none'}` : ''}`,
    });
  }
} finally {
  await built.remove();
}
