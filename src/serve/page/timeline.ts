/**
 * The timeline of the last days: one band per stretch of runs with the same outcome (reachable / broken /
 * inconclusive), each change a link to the report of the run that changed it. Plain SVG links and a list, so it works
 * without JavaScript; timeline.js adds hover details and a live refresh.
 */
import { html } from '../escape-html.js';
import type { HistoryRow, Timeline } from '../history/store.js';
import type { RunBand } from '../run-record.js';

export interface Segment {
  band: RunBand;
  fromMs: number;
  toMs: number;
  /** The run that started this stretch (undefined for the stretch carried in from before the window). */
  run: HistoryRow | undefined;
}

/** Stretches from the change rows: each change starts one, the window's start inherits the state before it. */
export function segmentsOf(timeline: Timeline, sinceMs: number, nowMs: number): Segment[] {
  const segments: Segment[] = [];
  const first = timeline.before;
  if (first) segments.push({ band: first.band, fromMs: sinceMs, toMs: nowMs, run: undefined });
  for (const change of timeline.changes) {
    const at = Math.max(sinceMs, Date.parse(change.at));
    const open = segments[segments.length - 1];
    if (open) open.toMs = at;
    segments.push({ band: change.band, fromMs: at, toMs: nowMs, run: change });
  }
  return segments.filter((s) => s.toMs > s.fromMs || s === segments[segments.length - 1]);
}

function causeOf(row: HistoryRow | undefined): string {
  if (!row) return 'state before this window';
  if (row.band === 'reachable') return 'no problems found';
  if (row.verdict === 'diagnosis-failed') return 'the diagnosis failed';
  return row.topRule ? `${row.topRule}: ${row.topMessage ?? ''}` : row.verdict;
}

function short(text: string): string {
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

function timeText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/**
 * A window longer than the history (a watch started an hour ago, a 7-day window) starts at the first run: otherwise
 * every band would be a sliver at the right edge, too thin to see or tap.
 */
function windowStart(timeline: Timeline, sinceMs: number): number {
  const first = timeline.changes[0];
  return timeline.before || !first ? sinceMs : Math.max(sinceMs, Date.parse(first.at));
}

export function renderTimeline(timeline: Timeline, requestedSinceMs: number, nowMs: number): string {
  const sinceMs = windowStart(timeline, requestedSinceMs);
  const segments = segmentsOf(timeline, sinceMs, nowMs);
  if (segments.length === 0) return '<p class="muted">No runs recorded yet in this window.</p>';
  const span = Math.max(1, nowMs - sinceMs);
  const x = (ms: number): number => Math.round(((ms - sinceMs) / span) * 100_000) / 100;
  const bands = segments
    .map((s) => {
      // At least 2 of 1000 units, so a short blip stays visible and can be pointed at.
      const width = Math.max(2, x(s.toMs) - x(s.fromMs));
      // The cause once, cut short: a month of flapping is hundreds of bands, and the change list has it in full.
      const cause = html(short(causeOf(s.run)));
      const rect =
        `<rect class="band band-${s.band}" x="${x(s.fromMs)}" y="0" width="${width}" height="40" ` +
        `data-band="${s.band}" data-at="${timeText(s.fromMs)}" data-cause="${cause}"><title>${timeText(s.fromMs)}: ${s.band}</title></rect>`;
      return s.run ? `<a href="/run/${s.run.id}">${rect}</a>` : rect;
    })
    .join('');
  const svg =
    `<svg class="timeline" id="timeline" viewBox="0 0 1000 40" preserveAspectRatio="none" role="img" ` +
    `aria-label="Reachability over time" data-bands="${segments.length}">${bands}</svg>`;
  const axis = `<div class="axis"><span>${timeText(sinceMs)}</span><span>now</span></div>`;
  const changes = timeline.changes
    .slice(-50)
    .reverse()
    .map(
      (c) =>
        `<li class="change"><a href="/run/${c.id}"><time datetime="${html(c.at)}">${timeText(Date.parse(c.at))}</time></a> ` +
        `<span class="badge badge-${c.band}">${c.band}</span> ${html(causeOf(c))}</li>`,
    )
    .join('');
  return (
    `${svg}${axis}<p id="timeline-detail" class="muted small" aria-live="polite">Select a band to see what changed.</p>` +
    `<h3>Changes</h3><ol class="changes" id="changes">${changes || '<li class="muted">No changes in this window.</li>'}</ol>`
  );
}
