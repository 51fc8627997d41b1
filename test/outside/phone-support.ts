/** Helpers shared by the phone-check tests (not a test file itself). */
import { spawnSync } from 'node:child_process';

/** A pid that surely does not run: a child that already exited. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}
