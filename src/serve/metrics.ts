/**
 * `GET /metrics`: the live state in Prometheus text format, through prom-client (its own registry, not the global one:
 * a library must not add metrics to its host's default registry). Gauges are set from the state at scrape time, so
 * the numbers are never older than the latest run. Every label value is ours (rule ids, severities, collector ids),
 * never text from the network.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { LiveState } from './live-state.js';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const VERDICTS = ['ok', 'error', 'warning', 'info', 'diagnosis-failed'] as const;
const BANDS = ['reachable', 'broken', 'inconclusive'] as const;

export interface StatusMetrics {
  render(): Promise<string>;
}

export function createStatusMetrics(state: LiveState): StatusMetrics {
  const registry = new Registry();
  const reachable = new Gauge({
    name: 'plex_diagnose_reachable',
    help: '1 when the latest run found the server reachable from outside, else 0',
    registers: [registry],
  });
  const band = new Gauge({
    name: 'plex_diagnose_state',
    help: '1 for the band of the latest run (reachable, broken, inconclusive), 0 for the others',
    labelNames: ['band'],
    registers: [registry],
  });
  const verdict = new Gauge({
    name: 'plex_diagnose_verdict',
    help: "1 for the latest run's verdict (ok, error, warning, info, diagnosis-failed), 0 for the others",
    labelNames: ['verdict'],
    registers: [registry],
  });
  const findings = new Gauge({
    name: 'plex_diagnose_findings',
    help: 'Findings of the latest report, by rule id and severity',
    labelNames: ['rule_id', 'severity'],
    registers: [registry],
  });
  const checkDuration = new Gauge({
    name: 'plex_diagnose_check_duration_seconds',
    help: 'How long each check (collector) of the latest run took',
    labelNames: ['check', 'status'],
    registers: [registry],
  });
  const collectDuration = new Gauge({
    name: 'plex_diagnose_collect_duration_seconds',
    help: 'How long collecting the evidence took in the latest run',
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'plex_diagnose_last_run_timestamp_seconds',
    help: 'When the latest run finished (Unix time)',
    registers: [registry],
  });
  const runs = new Counter({ name: 'plex_diagnose_runs_total', help: 'Runs since start', registers: [registry] });
  const failedRuns = new Counter({
    name: 'plex_diagnose_failed_runs_total',
    help: 'Runs whose diagnosis failed since start',
    registers: [registry],
  });
  const alerts = new Counter({
    name: 'plex_diagnose_alerts_sent_total',
    help: 'Alerts sent since start, by kind (problem, changed, recovered, unavailable; forward-* when forwards are monitored)',
    labelNames: ['kind'],
    registers: [registry],
  });

  function refresh(): void {
    const latest = state.latest;
    for (const metric of [findings, checkDuration, band, verdict, alerts, runs, failedRuns]) metric.reset();
    runs.inc(state.runs);
    failedRuns.inc(state.failedRuns);
    for (const kind of ['problem', 'changed', 'recovered', 'unavailable'])
      alerts.inc({ kind }, state.alerts.get(kind) ?? 0);
    // The forward watch's kinds appear once sent: a watch without forwards keeps exactly the four series it had.
    for (const kind of ['forward-broken', 'forward-recovered', 'outside-unavailable'])
      if (state.alerts.has(kind)) alerts.inc({ kind }, state.alerts.get(kind) ?? 0);
    if (!latest) return;
    reachable.set(latest.record.band === 'reachable' ? 1 : 0);
    for (const name of BANDS) band.set({ band: name }, latest.record.band === name ? 1 : 0);
    for (const name of VERDICTS) verdict.set({ verdict: name }, latest.record.verdict === name ? 1 : 0);
    lastRun.set(Date.parse(latest.record.at) / 1000);
    const report = latest.report;
    if (!report) return;
    for (const d of report.diagnoses) findings.inc({ rule_id: d.ruleId, severity: d.severity });
    for (const o of report.observations) checkDuration.set({ check: o.id, status: o.status }, o.durationMs / 1000);
    collectDuration.set(report.timing.collectMs / 1000);
  }

  return {
    render: async () => {
      refresh();
      return registry.metrics();
    },
  };
}
