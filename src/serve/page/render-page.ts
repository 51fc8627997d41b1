/**
 * The status page and a past run's page, rendered on the server: the current state needs no JavaScript. Every string
 * that came from a report or the network passes html(); the only script is /static/timeline.js.
 */
import type { Report } from '../../core/report.js';
import { html } from '../escape-html.js';
import type { HistoryRow, Timeline } from '../history/store.js';
import type { LiveState } from '../live-state.js';
import type { RunBand } from '../run-record.js';
import { renderPathDiagram } from './path-diagram.js';
import { BAND_TEXT, renderDiagnoses, renderDiagnosis, renderForwards } from './report-parts.js';
import { renderTimeline } from './timeline.js';

const DAY_MS = 86_400_000;

function layout(title: string, body: string, attributes = ''): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="color-scheme" content="light dark"><meta name="referrer" content="no-referrer">' +
    `<title>${html(title)}</title><link rel="stylesheet" href="/static/status.css"></head>` +
    `<body${attributes}><main>${body}</main><script src="/static/timeline.js" defer></script></body></html>`
  );
}

function serverName(report: Report | undefined): string {
  const name = report?.target.name;
  return typeof name === 'string' && name ? name : 'Plex Media Server';
}

function verdictBlock(band: RunBand, report: Report | undefined, error: string | undefined, at: string): string {
  const root = report?.diagnoses.find((d) => d.rank === 'root-cause');
  const why = error
    ? `<p>The diagnosis failed: ${html(error)}</p>`
    : root
      ? `<p id="root-cause">Root cause: <strong>${html(root.title)}</strong> (<code>${html(root.ruleId)}</code>)</p><p>${html(root.message)}</p>${root.fix ? `<p id="fix"><strong>Fix:</strong> ${html(root.fix.message)}</p>` : ''}`
      : band === 'reachable'
        ? '<p>No problems found: the checks that decide remote access passed.</p>'
        : '<p>The checks that decide remote access did not run, so reachability is not known.</p>';
  return (
    `<section class="verdict verdict-${band}" id="verdict" data-band="${band}"><h2 class="sr">Verdict</h2>` +
    `<p><span class="badge badge-${band}">${band}</span> <strong>${BAND_TEXT[band]}</strong> ` +
    `<span class="muted small">as of <time datetime="${html(at)}">${html(at.replace('T', ' ').slice(0, 19))} UTC</time></span></p>${why}</section>`
  );
}

export interface StatusPageInput {
  state: LiveState;
  timeline: Timeline | undefined;
  days: number;
  nowMs: number;
}

export function renderStatusPage({ state, timeline, days, nowMs }: StatusPageInput): string {
  const latest = state.latest;
  const report = latest?.report;
  const name = serverName(report);
  const head = `<h1>${html(name)} <span class="muted small">remote access</span></h1>`;
  if (!latest)
    return layout(
      `${name}: waiting`,
      `${head}<p>The first check is running; this page fills in when it ends.</p>${historyFooter(state)}`,
    );
  const sinceMs = nowMs - days * DAY_MS;
  const range = [1, 7, 30]
    .map((d) => (d === days ? `<strong>${d} d</strong>` : `<a href="/?days=${d}">${d} d</a>`))
    .join(' ');
  const history = timeline
    ? `<nav class="range">Last ${range}</nav>${renderTimeline(timeline, sinceMs, nowMs)}`
    : `<p class="muted">${html(state.historyNote ?? 'No history kept.')}</p>`;
  const body =
    head +
    verdictBlock(latest.record.band, report, latest.error, latest.record.at) +
    `<h2>Path</h2>${renderPathDiagram(report?.path)}` +
    `<h2>Port forwards seen from outside</h2>${renderForwards(report, state.forwards)}` +
    `<h2>Timeline</h2>${history}` +
    (report ? `<h2>Findings</h2>${renderDiagnoses(report)}` : '') +
    historyFooter(state);
  const shown = `${latest.record.band}|${latest.record.topRule ?? ''}`;
  const attributes = ` data-state="${html(shown)}" data-interval-ms="${state.intervalMs}"`;
  return layout(`${name}: ${latest.record.band}`, body, attributes);
}

function historyFooter(state: LiveState): string {
  return (
    `<footer>Checking every ${Math.round(state.intervalMs / 1000)} s since ${html(state.startedAt)}; ${state.runs} run(s). ` +
    `<a href="/api/status">JSON</a> · <a href="/api/history">history</a> · <a href="/metrics">metrics</a></footer>`
  );
}

/** A past run: its outcome, and the report that was in effect then (stored when it changed). */
export function renderRunPage(row: HistoryRow, report: Report | undefined): string {
  const name = serverName(report);
  const findings = report
    ? report.diagnoses.length
      ? report.diagnoses.map((d) => renderDiagnosis(d, d.rank === 'root-cause')).join('')
      : '<p>No problems found.</p>'
    : '<p class="muted">No report was kept for this run (the diagnosis failed, or it was pruned).</p>';
  const body =
    `<p><a href="/">← current status</a></p><h1>${html(name)}: run of ${html(row.at.replace('T', ' ').slice(0, 19))} UTC</h1>` +
    verdictBlock(row.band, report, row.verdict === 'diagnosis-failed' ? 'no report' : undefined, row.at) +
    (report ? `<h2>Path</h2>${renderPathDiagram(report.path)}` : '') +
    `<h2>Findings</h2>${findings}`;
  return layout(`${name}: run ${row.id}`, body);
}

export function renderMessagePage(title: string, message: string): string {
  return layout(title, `<h1>${html(title)}</h1><p>${html(message)}</p><p><a href="/">← current status</a></p>`);
}
