import { createColors } from 'picocolors';
import type { Evidence } from '../../core/finding.js';

export interface FormatOptions {
  /** ANSI colours. The CLI enables them only on a TTY and never with NO_COLOR. @default false */
  color?: boolean;
  /** Show every check, observation timings and skipped reasons. @default false */
  verbose?: boolean;
}

export type Colors = ReturnType<typeof createColors>;

export function colors(options: FormatOptions): Colors {
  return createColors(options.color ?? false);
}

/** Human titles for the built-in categories; user categories print as they are. */
export const CATEGORY_TITLES: Record<string, string> = {
  server: 'Plex Media Server',
  account: 'plex.tv account',
  'remote-access': 'Remote access',
  'port-forwarding': 'Port forwarding',
  network: 'Network path (NAT)',
  dns: 'DNS (plex.direct)',
  tls: 'Secure connections',
  lan: 'Local network',
  relay: 'Relay',
};

export function categoryTitle(category: string): string {
  return CATEGORY_TITLES[category] ?? category;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/** Where a piece of evidence came from, as a person reads it: what the user stated is "you said", never a measurement. */
export function evidenceSource(e: Evidence): string {
  return e.declared ? 'you said' : e.source;
}

/** One evidence line's text: "source: observed (expected: ...)". */
export function evidenceText(e: Evidence): string {
  return `${evidenceSource(e)}: ${e.observed}${e.expected ? ` (expected: ${e.expected})` : ''}`;
}
