/**
 * `watch`: diagnose on a schedule; alert when a state has persisted `--debounce` runs (a problem, a change of cause,
 * a recovery). Survives network loss and server restarts (a failed run is a state, not an exit), never asks Plex to
 * re-check reachability, stops cleanly on SIGINT/SIGTERM.
 */
import { collect } from '../../diagnose/collect.js';
import { analyze } from '../../diagnose/diagnose.js';
import { escapeTerminal, stringifyJson } from '../../core/escape.js';
import { UsageError } from '../../core/errors.js';
import { redactText } from '../../core/redact.js';
import { runAlertCommand } from '../../watch/exec.js';
import { parseInterval } from '../../watch/interval.js';
import { sendAlert } from '../../watch/notify.js';
import { createAlertTracker } from '../../watch/tracker.js';
import { createForwardWatch } from '../../watch/forward-watch.js';
import { forwardName } from '../../watch/alert.js';
import { runWatch } from '../../watch/run-watch.js';
import type { Alert } from '../../watch/alert.js';
import type { Report } from '../../core/report.js';
import type { CommandContext } from '../command-context.js';
import { prepareRun } from '../prepare-run.js';
import { createProgress } from '../spinner.js';
import { positiveInteger } from '../validate-flags.js';

/** The reflector's default refill (src/outside/reflector/options.ts): one check per source every 15 s after a burst of 4. */
const REFLECTOR_REFILL_MS = 15_000;

function withoutSnapshot(report: Report): Report {
  const copy = { ...report };
  delete copy.snapshot;
  return copy;
}

function notifyUrls(values: CommandContext['values']): string[] {
  const urls = Array.isArray(values.notify) ? values.notify : [];
  for (const url of urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
      throw new UsageError(`--notify "${url.slice(0, 60)}" is not an http(s) URL`);
  }
  return urls;
}

export default async function watchCommand({ values, output }: CommandContext): Promise<number> {
  const intervalMs = parseInterval(typeof values.interval === 'string' ? values.interval : '5m');
  const debounce = positiveInteger(values, 'debounce', 2)!;
  const maxRuns = positiveInteger(values, 'max-runs', undefined);
  const urls = notifyUrls(values);
  const exec = typeof values.exec === 'string' ? values.exec : undefined;
  const json = values.json === true;
  const line = (record: Record<string, unknown>, text: string): void =>
    output.out(json ? `${stringifyJson(record, 0)}\n` : `${escapeTerminal(text)}\n`);
  // The page's modules (prom-client, SQLite) load only when asked for: a plain watch starts as fast as before.
  const serveModule = ['serve', 'serve-auth', 'history'].some((name) => values[name] !== undefined)
    ? await import('../watch-serve.js')
    : undefined;
  const servePlan = await serveModule?.planServe(values, output.streams.env);
  const progress = createProgress(output, false);
  const run = await prepareRun(values, output, progress, { allowExperiments: false });
  // After prepareRun: the token is known by then, and the page scrubs it from everything it serves.
  const serve =
    servePlan && serveModule ? await serveModule.startServeSession(servePlan, output, intervalMs) : undefined;
  output.err(
    `watching ${run.target.url} every ${Math.round(intervalMs / 1000)} s (alerts after ${debounce} run(s) in a new state); Ctrl-C stops\n`,
  );
  // Every listed forward is judged from outside each run (needs the evidence, so reports keep their snapshot here).
  const monitored = run.settings.outside?.monitored ?? [];
  const forwards = monitored.length ? createForwardWatch({ forwards: monitored, debounce }) : undefined;
  if (forwards) {
    output.err(
      `monitoring ${monitored.length} forward(s) from outside: ${monitored.map((m) => forwardName(m)).join(', ')}\n`,
    );
    if (intervalMs < REFLECTOR_REFILL_MS)
      output.err(
        `note: the reflector answers 4 checks, then 1 every 15 s; at this interval some runs will have no outside check\n`,
      );
  }
  const analyzeOptions = forwards ? { ...run.analyzeOptions, includeSnapshot: true } : run.analyzeOptions;

  const deliver = async (alert: Alert, signal: AbortSignal): Promise<void> => {
    serve?.onAlert(alert);
    line({ type: 'alert', ...alert }, `[${alert.at}] ALERT ${alert.kind}: ${alert.summary}`);
    for (const url of urls) {
      const result = await sendAlert(url, alert, { signal });
      if (!result.ok)
        output.err(
          `notify ${redactText(new URL(url).host)} failed after ${result.attempts} attempt(s): ${result.error?.message ?? result.status}\n`,
        );
    }
    if (exec) {
      const result = await runAlertCommand(exec, alert, { env: output.streams.env, signal });
      if (result.exitCode !== 0)
        output.err(
          `--exec exited with ${result.timedOut ? 'a timeout' : (result.exitCode ?? result.signal)}${result.stderrTail ? `: ${result.stderrTail.trim().split('\n').pop()}` : ''}\n`,
        );
    }
  };

  let runMs = 0;
  const result = await runWatch({
    intervalMs,
    tracker: createAlertTracker({ debounce }),
    ...(forwards ? { forwards } : {}),
    signal: output.streams.signal,
    ...(maxRuns ? { maxRuns } : {}),
    runOnce: async (signal) => {
      const started = Date.now();
      try {
        return analyze(await collect({ ...run.collectOptions, signal, onProgress: () => undefined }), analyzeOptions);
      } finally {
        runMs = Date.now() - started;
      }
    },
    onAlert: deliver,
    onRun: (raw) => {
      // The evidence was for the forward watch: the page, its history and the log lines keep reports as before.
      const info = raw.report?.snapshot ? { ...raw, report: withoutSnapshot(raw.report) } : raw;
      serve?.onRun(info, runMs, forwards?.rows());
      const status = info.error
        ? 'diagnosis failed'
        : info.report
          ? `${info.report.summary.status} (${info.report.summary.errors} errors, ${info.report.summary.warnings} warnings)`
          : '';
      const top = info.report?.diagnoses.find((d) => d.rank === 'root-cause');
      line(
        {
          type: 'run',
          run: info.run,
          at: info.at,
          status: info.error ? 'diagnosis-failed' : info.report?.summary.status,
          rootCause: top ? { ruleId: top.ruleId, messageId: top.messageId } : undefined,
        },
        `[${info.at}] run ${info.run}: ${status}${top ? `: ${top.ruleId}` : ''}`,
      );
    },
  }).finally(() => serve?.close());
  output.err(
    `watch stopped (${result.stoppedBy === 'signal' ? 'interrupted' : `after ${result.runs} runs`}): ${result.runs} runs, ${result.alerts} alerts${result.failedAlerts ? `, ${result.failedAlerts} undelivered` : ''}\n`,
  );
  return 0;
}
