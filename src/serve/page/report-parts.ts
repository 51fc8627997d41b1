/**
 * Pieces of a report shared by the status page and a past run's page: the verdict headline, a diagnosis with its fix
 * and evidence, and the per-forward (outside checks) section. Every string from the report goes through html().
 */
import type { Diagnosis, Report } from '../../core/report.js';
import type { ForwardRow } from '../../watch/forward-tracker.js';
import type { FixAction } from '../../core/finding.js';
import { html } from '../escape-html.js';
import type { RunBand } from '../run-record.js';

export const BAND_TEXT: Record<RunBand, string> = {
  reachable: 'Reachable from outside',
  broken: 'Not reachable from outside',
  inconclusive: 'Inconclusive',
};

function actionText(action: FixAction): string {
  if (action.type === 'set-pref') return `set ${action.pref} = ${String(action.value)}`;
  const parts = [
    ...(action.add ?? []).map((a) => `add ${a}`),
    ...(action.remove ?? []).map((r) => `remove ${r}`),
    ...(action.replace ?? []).map((r) => `replace ${r.from} → ${r.to}`),
  ];
  return `${action.pref}: ${parts.join(', ')}`;
}

export function renderDiagnosis(d: Diagnosis, open: boolean): string {
  const fix = d.fix
    ? `<div class="fix"><h4>Fix</h4><p>${html(d.fix.message)}</p>${
        d.fix.actions.length
          ? `<ul>${d.fix.actions.map((a) => `<li><code>${html(actionText(a))}</code></li>`).join('')}</ul>`
          : ''
      }</div>`
    : '';
  const evidence = d.evidence.length
    ? `<details><summary>Evidence (${d.evidence.length})</summary><ul class="evidence">${d.evidence
        .map(
          (e) =>
            `<li><code>${html(e.source)}</code>: ${html(e.observed)}${e.expected ? ` <span class="muted">(expected ${html(e.expected)})</span>` : ''}</li>`,
        )
        .join('')}</ul></details>`
    : '';
  return (
    `<article class="diagnosis sev-${d.severity}${open ? ' root' : ''}" data-rule="${html(d.ruleId)}">` +
    `<h3><span class="badge badge-${d.severity}">${d.severity}</span> ${html(d.title)} <code class="rule">${html(d.ruleId)}</code></h3>` +
    `<p>${html(d.message)}</p>${fix}${evidence}` +
    `<p class="muted small">${d.rank.replace('-', ' ')}, ${d.confidence} confidence${d.explainedBy.length ? `, explained by ${html(d.explainedBy.join(', '))}` : ''}</p></article>`
  );
}

/** The diagnoses, root causes first (open), then the rest in a collapsed list. */
export function renderDiagnoses(report: Report): string {
  if (report.diagnoses.length === 0) return '<p>No problems found.</p>';
  const roots = report.diagnoses.filter((d) => d.rank === 'root-cause');
  const rest = report.diagnoses.filter((d) => d.rank !== 'root-cause');
  return (
    roots.map((d) => renderDiagnosis(d, true)).join('') +
    (rest.length
      ? `<details class="more"><summary>${rest.length} more finding${rest.length === 1 ? '' : 's'}</summary>${rest
          .map((d) => renderDiagnosis(d, false))
          .join('')}</details>`
      : '')
  );
}

/**
 * Per-forward status from outside checks: the reflector's `probe.outside` observation (and any `outside.*` one: plex.tv's
 * connect-back, a phone check). With the snapshot at hand, one row per checked port; otherwise one row per check.
 * Without any, the page says none are configured rather than showing an empty table.
 */
export function renderForwards(report: Report | undefined, monitored?: readonly ForwardRow[]): string {
  // A skipped outside check ("no reflector given") is no outside check: the rules now always ask for one.
  const outside =
    report?.observations.filter(
      (o) => (o.id === 'probe.outside' || o.id.startsWith('outside.')) && o.status !== 'skipped',
    ) ?? [];
  const watched = monitored?.length ? monitoredRows(monitored) : '';
  if (outside.length === 0)
    return (
      watched ||
      '<p class="muted" id="no-outside">No outside checks configured: only checks from inside the network ran.</p>'
    );
  const ports = portRows(report);
  if (ports) return watched + ports;
  const rows = outside
    .map((o) => {
      const state = o.status === 'ok' ? 'ok' : o.status === 'failed' ? 'broken' : 'unknown';
      const why = o.error ? `${o.error.code}: ${o.error.message}` : (o.reason ?? '');
      return `<tr><td><code>${html(o.id)}</code></td><td><span class="badge badge-${state}">${html(o.status)}</span></td><td>${html(why)}</td><td>${Math.round(o.durationMs)} ms</td></tr>`;
    })
    .join('');
  return `${watched}<table class="forwards"><thead><tr><th>Check</th><th>Status</th><th>Detail</th><th>Took</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const FORWARD_BADGE = { open: 'ok', broken: 'broken', unknown: 'unknown' } as const;

/** `watch`'s monitored forwards: the confirmed state of each, since when, and the cause of a broken one. */
function monitoredRows(rows: readonly ForwardRow[]): string {
  const body = rows
    .map(
      (row) =>
        `<tr data-port="${html(row.externalPort)}"><td>${html(row.name)}</td>` +
        `<td><span class="badge badge-${FORWARD_BADGE[row.state]}">${html(row.state === 'unknown' ? 'not yet confirmed' : row.state)}</span></td>` +
        `<td>${row.since ? `<time datetime="${html(row.since)}">${html(row.since.replace('T', ' ').slice(0, 19))} UTC</time>` : ''}</td>` +
        `<td>${html(row.seen ?? '')}</td><td>${html(row.cause ?? '')}</td></tr>`,
    )
    .join('');
  return `<table class="forwards" id="monitored-forwards"><thead><tr><th>Forward</th><th>State</th><th>Since</th><th>Seen from outside</th><th>Cause</th></tr></thead><tbody>${body}</tbody></table>`;
}

interface OutsidePortView {
  port: number;
  role?: string;
  tcp?: { state?: string };
  identityMatches?: boolean;
}

/** One row per port the reflector checked, when the report carries the snapshot (the vantage says if it counts). */
function portRows(report: Report | undefined): string | undefined {
  const observation = report?.snapshot?.observations['probe.outside'];
  if (observation?.status !== 'ok') return undefined;
  const value = observation.value as { vantage?: string; outside?: boolean; ports?: OutsidePortView[] };
  if (!Array.isArray(value.ports)) return undefined;
  const rows = value.ports
    .map((p) => {
      const open = p.tcp?.state === 'open' && p.identityMatches !== false;
      const state = open ? 'ok' : p.tcp?.state === 'open' ? 'unknown' : 'broken';
      const identity = p.identityMatches === undefined ? '' : p.identityMatches ? 'this server' : 'ANOTHER server';
      return `<tr><td>${html(p.port)}</td><td>${html(p.role ?? '')}</td><td><span class="badge badge-${state}">${html(p.tcp?.state ?? 'unknown')}</span></td><td>${html(identity)}</td></tr>`;
    })
    .join('');
  const vantage = value.outside
    ? ''
    : `<p class="muted">Checked from ${html(value.vantage ?? 'unknown')}: not an outside view.</p>`;
  return `${vantage}<table class="forwards"><thead><tr><th>Port</th><th>Forward</th><th>TCP from outside</th><th>Answered as</th></tr></thead><tbody>${rows}</tbody></table>`;
}
