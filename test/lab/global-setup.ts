/**
 * Once per `npm run test:lab`: say in one line why the lab is skipped (the test files then skip silently), remove labs
 * a crashed earlier run left behind, and at the end check that nothing of this run's labs remains (namespaces,
 * processes, /etc/netns entries, lab dirs).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_LAB_TOOLS, checkLabAvailability } from './harness/availability.js';
import { LAB_ROOT } from './harness/paths.js';
import { cleanupStaleLabs, findLeftovers } from './harness/registry.js';

export default function setup(): (() => void) | undefined {
  const availability = checkLabAvailability(ALL_LAB_TOOLS);
  if (!availability.available) {
    console.warn(`lab skipped: ${availability.reason}`);
    return undefined;
  }
  const cleaned = cleanupStaleLabs();
  if (cleaned.length > 0)
    console.warn(`lab: removed ${cleaned.length} lab(s) left by a crashed run: ${cleaned.join(', ')}`);
  mkdirSync(LAB_ROOT, { recursive: true });
  // Run files of runs that were interrupted before their teardown (Ctrl-C): their labs were handled above or by the
  // interrupted run's own signal handlers; the list itself is litter.
  for (const name of readdirSync(LAB_ROOT)) {
    const pid = /^run-(\d+)\.prefixes$/.exec(name)?.[1];
    if (pid && !existsSync(`/proc/${pid}`)) rmSync(join(LAB_ROOT, name), { force: true });
  }
  // Every lab of this run appends its prefix here (lab.ts); the test processes inherit the variable.
  const runFile = join(LAB_ROOT, `run-${process.pid}.prefixes`);
  writeFileSync(runFile, '');
  process.env.PD_LAB_RUN_FILE = runFile;
  return () => {
    const prefixes = readFileSync(runFile, 'utf8').split('\n').filter(Boolean);
    rmSync(runFile, { force: true });
    const leftovers = prefixes.flatMap((prefix) => findLeftovers(prefix));
    if (leftovers.length > 0) {
      // Fail the run, but leave the machine clean: every test process has exited, so their labs are stale now.
      const cleaned = cleanupStaleLabs();
      throw new Error(
        `the lab left things behind (removed now: ${cleaned.join(', ') || 'none'}):\n  ${leftovers.join('\n  ')}`,
      );
    }
    console.info(`lab: ${prefixes.length} lab(s) built and removed, nothing left behind`);
  };
}
