/**
 * Not a bench: a driver for `node --cpu-prof` that runs many diagnoses against the latency bench's fakes (in their
 * child process, so the profile holds only the diagnosing side). Prints the CPU time per diagnosis.
 *
 * `npx tsx bench/profile-diagnose.ts [--latency 20] [--connections 8] [--runs 200] [--profile out.cpuprofile]`: with
 * `--profile`, the measured runs (after a warm-up, so module loading and JIT are not in it) are profiled through the
 * inspector and written there.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { diagnose } from '../src/diagnose/diagnose.js';
import { numberArg } from './lib/figures.js';
import { startLatencySetup } from './lib/latency-setup.js';

const setup = await startLatencySetup({
  latencyMs: numberArg('latency', 20),
  connections: numberArg('connections', 8),
});
try {
  for (let i = 0; i < 20; i++) await diagnose(setup.options);
  const runs = numberArg('runs', 200);
  const profileAt = process.argv.indexOf('--profile');
  const session = profileAt > 0 ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const before = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < runs; i++) await diagnose(setup.options);
  const cpu = process.cpuUsage(before);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.argv[profileAt + 1]!, JSON.stringify(profile));
    session.disconnect();
  }
  console.log(
    `${runs} diagnoses: ${((cpu.user + cpu.system) / 1000 / runs).toFixed(2)} ms CPU each (user ${(cpu.user / 1000 / runs).toFixed(2)}), wall ${((performance.now() - started) / runs).toFixed(1)} ms each`,
  );
} finally {
  await setup.close();
}
