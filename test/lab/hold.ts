/**
 * Holds a lab up for a person to look around in (run the CLI by hand, read logs), until Ctrl-C:
 *   node --import tsx test/lab/hold.ts <scenario name from scenarios.ts | scenario JSON>
 * Prints the namespaces, the lab dir and the exact CLI command (with the lab's token, which exists only in this lab).
 * Ctrl-C (or SIGTERM) tears it down through the harness's signal handlers.
 */
import { join } from 'node:path';
import { distDir, startLab, type LabScenario } from './harness/index.js';
import { cliArgv, cliEnv, onPlainHost } from './cli-run.js';
import { LAB_SCENARIOS } from './scenarios.js';

const arg = process.argv[2];
if (!arg) {
  console.error(
    `usage: node --import tsx test/lab/hold.ts <${LAB_SCENARIOS.map((s) => s.id).join('|')}|'{"router":...}'>`,
  );
  process.exit(2);
}
const named = LAB_SCENARIOS.find((s) => s.id === arg);
const scenario: LabScenario = named ? named.lab : (JSON.parse(arg) as LabScenario);
const lab = await startLab(scenario);
const env = cliEnv(lab);
await named?.prepare?.(lab);
const quote = (value: string): string => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
console.log(
  `lab ${lab.prefix} up (${scenario.name ?? 'lab'}): namespaces ${lab.prefix}-{${['lan', 'rtr', 'isp', 'inet'].join(',')}}`,
);
console.log(`dir ${lab.dir}  startup ${JSON.stringify(lab.plex?.startup ?? {})}`);
console.log('CLI:');
const argv = onPlainHost(lab, [
  '/usr/bin/env',
  '-i',
  ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
  ...cliArgv(lab, ['--verbose']),
]);
console.log(`  ip netns exec ${lab.namespace('lan')} ${argv.map(quote).join(' ')}`);
console.log(`(dist: ${join(distDir(), 'cli.js')}; Ctrl-C to tear down)`);
setInterval(() => undefined, 60_000);
