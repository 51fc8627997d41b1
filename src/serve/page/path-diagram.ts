/**
 * The path picture (report.path) as inline SVG: one box per hop from the server to the internet, joined by arrows,
 * the broken hop drawn red with a cross on the link into it. Text stays in HTML-escaped <text> nodes; the boxes have
 * a fixed width and long details are cut, so a hostile address cannot stretch the picture.
 */
import type { NetworkPath, PathHop } from '../../core/report.js';
import { html } from '../escape-html.js';

const BOX_W = 150;
const BOX_H = 64;
const GAP = 34;
const MAX_CHARS = 22;

function cut(text: string | undefined): string {
  if (!text) return '';
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
}

function hopBox(hop: PathHop, index: number): string {
  const x = index * (BOX_W + GAP);
  const mark = hop.status === 'broken' ? '✕ ' : hop.status === 'warning' ? '! ' : hop.status === 'unknown' ? '? ' : '';
  const title = `${hop.label}${hop.detail ? ` · ${hop.detail}` : ''}${hop.note ? ` · ${hop.note}` : ''}`;
  const link =
    index === 0
      ? ''
      : `<line class="link link-${hop.status}" x1="${x - GAP}" y1="${BOX_H / 2}" x2="${x - 4}" y2="${BOX_H / 2}" marker-end="url(#arrow)"/>` +
        (hop.status === 'broken'
          ? `<text class="cut" x="${x - GAP / 2}" y="${BOX_H / 2 - 6}" text-anchor="middle">✕</text>`
          : '');
  return (
    `${link}<g class="hop hop-${hop.status}" data-status="${hop.status}"><title>${html(title)}</title>` +
    `<rect x="${x}" y="0" width="${BOX_W}" height="${BOX_H}" rx="8"/>` +
    `<text x="${x + BOX_W / 2}" y="24" text-anchor="middle" class="hop-label">${html(mark + cut(hop.label))}</text>` +
    `<text x="${x + BOX_W / 2}" y="44" text-anchor="middle" class="hop-detail">${html(cut(hop.detail))}</text></g>`
  );
}

/** The SVG, and below it the same hops as a list (screen readers, narrow phones, and the notes in full). */
export function renderPathDiagram(path: NetworkPath | undefined): string {
  if (!path || path.hops.length === 0)
    return '<p class="muted">The evidence was not enough to draw the path from the server to the internet.</p>';
  const width = path.hops.length * BOX_W + (path.hops.length - 1) * GAP;
  const svg =
    `<svg class="path" viewBox="0 0 ${width} ${BOX_H}" role="img" aria-label="Path from the server to the internet">` +
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">' +
    '<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>' +
    path.hops.map(hopBox).join('') +
    '</svg>';
  const list = path.hops
    .map(
      (hop) =>
        `<li class="hop-${hop.status}"><strong>${html(hop.label)}</strong> <span class="badge badge-${hop.status}">${hop.status}</span>` +
        `${hop.detail ? ` <code>${html(hop.detail)}</code>` : ''}${hop.note ? `<br><span class="muted">${html(hop.note)}</span>` : ''}</li>`,
    )
    .join('');
  return `<div class="path-scroll">${svg}</div><ol class="hops">${list}</ol>`;
}
