/**
 * What each path answers. Read-only: GET and HEAD only (the server rejects everything else before routing). Bodies
 * are built whole (a page is tens of kB) so the server can scrub secrets and set Content-Length in one place.
 */
import { formatJson } from '../report/format/json.js';
import type { LiveState } from './live-state.js';
import type { StatusMetrics } from './metrics.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import { renderMessagePage, renderRunPage, renderStatusPage } from './page/render-page.js';
import { STYLESHEET, TIMELINE_SCRIPT } from './page/static-assets.js';

export interface Answer {
  status: number;
  type: string;
  body: string;
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const DAY_MS = 86_400_000;
/** The most rows one /api/history answer carries: 30 days of 1-minute runs. */
export const MAX_HISTORY_ROWS = 43_200;

export interface RouteContext {
  state: LiveState;
  metrics: StatusMetrics;
  now: () => number;
}

function json(status: number, value: unknown): Answer {
  return { status, type: JSON_TYPE, body: `${JSON.stringify(value, null, 2)}\n` };
}

function notFound(): Answer {
  return { status: 404, type: HTML, body: renderMessagePage('Not found', 'There is nothing at this address.') };
}

function clampInt(text: string | null, fallback: number, min: number, max: number): number {
  const value = text === null ? NaN : Number(text);
  return Number.isInteger(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function statusPage(url: URL, context: RouteContext): Answer {
  const days = clampInt(url.searchParams.get('days'), 7, 1, 35);
  const nowMs = context.now();
  const timeline = context.state.history?.timeline(nowMs - days * DAY_MS);
  return { status: 200, type: HTML, body: renderStatusPage({ state: context.state, timeline, days, nowMs }) };
}

function runPage(id: string, context: RouteContext): Answer {
  const history = context.state.history;
  const row = history?.run(Number(id));
  if (!history || !row) return notFound();
  const report = row.reportId === null ? undefined : history.report(row.reportId);
  return { status: 200, type: HTML, body: renderRunPage(row, report) };
}

/** The current report, as `--json` prints it; 503 until the first run, or with the error of a failed run. */
function apiStatus(context: RouteContext): Answer {
  const latest = context.state.latest;
  if (!latest) return json(503, { status: 'pending', message: 'the first check is still running' });
  if (!latest.report) return json(503, { status: 'diagnosis-failed', at: latest.record.at, message: latest.error });
  return { status: 200, type: JSON_TYPE, body: formatJson(latest.report) };
}

/**
 * Runs since `since` (ISO 8601; default the last 24 hours), oldest first. `current` is the latest run, so a Home
 * Assistant REST sensor can read `value_json.current.band` without a second request.
 */
function apiHistory(url: URL, context: RouteContext): Answer {
  const sinceText = url.searchParams.get('since');
  const sinceMs = sinceText === null ? context.now() - DAY_MS : Date.parse(sinceText);
  if (Number.isNaN(sinceMs)) return json(400, { error: 'since must be an ISO 8601 time, e.g. 2026-01-31T00:00:00Z' });
  // A day of 1-minute runs unless asked for more: a sensor polling every minute needs only the last few.
  const limit = clampInt(url.searchParams.get('limit'), 1440, 1, MAX_HISTORY_ROWS);
  const latest = context.state.latest;
  const history = context.state.history;
  const runs = history
    ? history.runs(sinceMs, limit)
    : latest && Date.parse(latest.record.at) >= sinceMs
      ? [latest.record]
      : [];
  return json(200, {
    current: latest ? { ...latest.record, reachable: latest.record.band === 'reachable' } : null,
    history: history !== undefined,
    ...(history ? {} : { note: context.state.historyNote ?? 'no history kept' }),
    runs,
  });
}

export async function route(url: URL, context: RouteContext): Promise<Answer> {
  const path = url.pathname;
  if (path === '/') return statusPage(url, context);
  const run = /^\/run\/(\d{1,15})$/.exec(path);
  if (run) return runPage(run[1]!, context);
  if (path === '/api/status') return apiStatus(context);
  if (path === '/api/history') return apiHistory(url, context);
  if (path === '/metrics') return { status: 200, type: METRICS_CONTENT_TYPE, body: await context.metrics.render() };
  if (path === '/static/status.css') return { status: 200, type: 'text/css; charset=utf-8', body: STYLESHEET };
  if (path === '/static/timeline.js')
    return { status: 200, type: 'text/javascript; charset=utf-8', body: TIMELINE_SCRIPT };
  return notFound();
}
