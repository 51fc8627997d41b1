import { collect } from '../../diagnose/collect.js';
import { analyze } from '../../diagnose/diagnose.js';
import { exitCodeFor } from '../../report/exit-code.js';
import type { AlternatePortResult } from '../../experiments/index.js';
import type { CommandContext } from '../command-context.js';
import { prepareRun } from '../prepare-run.js';
import { askRemoteAccess, shouldAskRemoteAccess } from '../ask-declared.js';
import { createProgress } from '../spinner.js';
import { renderReport } from '../render-report.js';
import { outputSettings } from '../validate-flags.js';

/** The steps that change something: before any of them ran, "restored" would claim work that never happened. */
const CHANGING_STEPS = new Set(['add-mapping', 'set-prefs']);

export function describeExperiment(result: AlternatePortResult): string {
  const changed = result.externalPort !== undefined || result.steps.some((s) => CHANGING_STEPS.has(s.name));
  const restored = result.kept
    ? 'kept: Plex now uses that port and the router mapping is permanent'
    : !changed
      ? // A stop before any change (e.g. an earlier run's journal still pending): what that earlier run changed may
        // still be in place, so never say "restored" here.
        'this run changed nothing'
      : result.restored.prefs && result.restored.mapping
        ? 'every change was restored'
        : `NOT fully restored: ${result.restored.errors.join('; ')}`;
  const port = result.externalPort === undefined ? '' : ` on port ${result.externalPort}`;
  return `experiment alternate-port${port}: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}; ${restored}`;
}

export default async function diagnoseCommand({ values, output }: CommandContext): Promise<number> {
  const settings = outputSettings(values);
  const progress = createProgress(output);
  try {
    const run = await prepareRun(values, output, progress);
    const snapshot = await collect(run.collectOptions);
    for (const result of await run.settled()) progress.note(describeExperiment(result));
    if (output.streams.signal.aborted) {
      progress.note('interrupted: the diagnosis is incomplete');
      return 130;
    }
    let report = analyze(snapshot, run.analyzeOptions);
    progress.stop();
    if (shouldAskRemoteAccess(report, snapshot, output.streams, !settings.json && !settings.markdown)) {
      const answered = await askRemoteAccess(snapshot, output.streams);
      if (answered !== snapshot) report = analyze(answered, run.analyzeOptions);
    }
    output.out(renderReport(report, output, settings));
    return exitCodeFor(report, settings.failOn);
  } finally {
    progress.stop();
  }
}
