/**
 * The fakes answer on loopback, but a scenario's report must show the addresses a user would see (192.168.1.10,
 * the router's 192.168.1.1): probe results from a fake get their loopback endpoints renamed, consistently, in every
 * string (values and failure messages alike). Nothing else in a result changes.
 */
import type { ProbeResult } from '../../probes/types.js';

export type Relabelling = readonly (readonly [from: string, to: string])[];

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces each `from` that stands alone (not inside a longer address or port: 127.0.0.1:40 never matches in :4000). */
export function relabelText(text: string, pairs: Relabelling): string {
  let out = text;
  for (const [from, to] of pairs) {
    if (from === '' || from === to) continue;
    out = out.replace(new RegExp(`(?<![0-9A-Za-z.:-])${escape(from)}(?![0-9A-Za-z])`, 'g'), to);
  }
  return out;
}

/** Deep copy of plain JSON data with every string relabelled. */
export function relabel<T>(value: T, pairs: Relabelling): T {
  if (typeof value === 'string') return relabelText(value, pairs) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => relabel(item, pairs)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, relabel(item, pairs)])) as T;
  }
  return value;
}

/** A probe result relabelled, with `patch` applied to an `ok` value afterwards (fields that must be set, not renamed). */
export function relabelResult<T>(result: ProbeResult<T>, pairs: Relabelling, patch?: (value: T) => T): ProbeResult<T> {
  const renamed = relabel(result, pairs);
  return renamed.status === 'ok' && patch ? { ...renamed, value: patch(renamed.value) } : renamed;
}
