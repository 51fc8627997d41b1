/**
 * `demo [scenario]`: the whole pipeline (collectors, rules, report) against a simulated setup: a real fake Plex Media
 * Server and a real fake plex.tv on loopback, with the router and the internet described by the scenario. It exits 0
 * once the report is shown (it diagnosed a simulation, not this machine) and says on stderr what a real run would exit.
 */
import { diagnose } from '../../diagnose/diagnose.js';
import { exitCodeFor } from '../../report/exit-code.js';
import { DEFAULT_SCENARIO, scenarios, startScenario } from '../../testing/scenarios/index.js';
import type { CommandContext } from '../command-context.js';
import { createProgress } from '../spinner.js';
import { renderReport } from '../render-report.js';
import { outputSettings } from '../validate-flags.js';

export default async function demoCommand({ values, positionals, output }: CommandContext): Promise<number> {
  const settings = outputSettings(values);
  if (values.list === true) {
    for (const scenario of Object.values(scenarios)) output.out(`${scenario.name.padEnd(24)} ${scenario.title}\n`);
    return 0;
  }
  const name = positionals[0] ?? DEFAULT_SCENARIO;
  const running = await startScenario(name);
  const progress = createProgress(output);
  try {
    progress.note(
      `demo: ${running.scenario.title}\n  ${running.scenario.description}\n  (simulated: a fake Plex server and a fake plex.tv on this machine; \`plex-diagnose demo --list\` for more)`,
    );
    output.secrets.push(running.options.token ?? '');
    const report = await diagnose({
      ...running.options,
      signal: output.streams.signal,
      onProgress: (event) => progress.onProgress(event),
    });
    progress.stop();
    output.out(renderReport(report, output, settings));
    // The demo diagnoses a simulation, not this machine: having run as intended is success (so
    // `npm ci && npm run demo && npm test` goes on). What the report means for an exit code stays visible.
    const wouldExit = exitCodeFor(report, settings.failOn);
    output.err(
      `demo: a real run with this report would exit ${wouldExit} (${wouldExit === 0 ? `no finding at or above --fail-on ${settings.failOn}` : `findings at or above --fail-on ${settings.failOn}`}); the demo itself exits 0: it ran as intended\n`,
    );
    return 0;
  } finally {
    progress.stop();
    await running.close();
  }
}
