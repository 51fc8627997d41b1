/**
 * Runs scenarios once and prints every diagnosis the CLI gave, to see why a scenario answers what it answers:
 *   node --import tsx test/lab/run-scenario.ts <id|scenario JSON>... [-- extra CLI args, e.g. --verbose]
 * Writes the `--json` report to .lab/last-<id>.json and, with PD_LAB_COLLECT=1, the snapshot (`collect`, with every
 * observation) to .lab/last-<id>.snapshot.json. Needs root and a build, like the lab.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_ROOT, withLab } from './harness/index.js';
import { runCli, summarize } from './cli-run.js';
import { LAB_SCENARIOS, type CliScenario } from './scenarios.js';

const dash = process.argv.indexOf('--');
const names = process.argv.slice(2, dash < 0 ? undefined : dash);
const extra = dash < 0 ? [] : process.argv.slice(dash + 1);
if (names.length === 0) {
  console.error(
    `usage: node --import tsx test/lab/run-scenario.ts <${LAB_SCENARIOS.map((s) => s.id).join('|')}|'{...}'>... [-- cli args]`,
  );
  process.exit(2);
}
mkdirSync(LAB_ROOT, { recursive: true });
for (const name of names) {
  const scenario: Pick<CliScenario, 'id' | 'lab' | 'args' | 'prepare'> = LAB_SCENARIOS.find((s) => s.id === name) ?? {
    id: 'adhoc',
    lab: JSON.parse(name),
  };
  await withLab(scenario.lab, async (lab) => {
    console.log(
      `== ${scenario.id} (${lab.prefix}); the server's first publish: ${JSON.stringify(lab.plex?.startup ?? {})}`,
    );
    await scenario.prepare?.(lab);
    const run = await runCli(lab, [...(scenario.args ?? []), ...extra]);
    writeFileSync(join(LAB_ROOT, `last-${scenario.id}.json`), run.result.stdout);
    console.log(`${summarize(run)}\n(${Math.round(run.result.durationMs)} ms)`);
    if (process.env.PD_LAB_COLLECT) {
      const collected = await runCli(lab, scenario.args ?? [], { command: 'collect' });
      writeFileSync(join(LAB_ROOT, `last-${scenario.id}.snapshot.json`), collected.result.stdout);
    }
  });
}
