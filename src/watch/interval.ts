/**
 * `--interval` values: "90" (seconds), "1500ms", "30s", "5m", "1h", "1d", and combinations such as "1h30m".
 *
 * Bounds: at least 1 s, because every run queries plex.tv and the server, and a tighter loop would hammer both for
 * no extra information; at most 24 days, because Node's timers overflow past 2^31-1 ms and would then fire at once.
 */
import { UsageError } from '../core/errors.js';

export const MIN_INTERVAL_MS = 1000;
export const MAX_INTERVAL_MS = 2 ** 31 - 1;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
const EXAMPLES = 'e.g. 30s, 5m, 1h, 1h30m, 1500ms, or a number of seconds';

/** Parses an interval into milliseconds; throws a UsageError naming the input for anything else. */
export function parseInterval(text: string): number {
  return parseDuration(text);
}

/**
 * Parses a duration ("30s", "1500ms", "5m", a number of seconds) within bounds; `what` names it in errors.
 * @param options.minMs @default 1000
 */
export function parseDuration(text: string, options: { minMs?: number; what?: string } = {}): number {
  const minMs = options.minMs ?? MIN_INTERVAL_MS;
  const what = options.what ?? 'interval';
  const input = String(text).trim().toLowerCase();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(input)) {
    ms = Number(input) * 1000;
  } else {
    ms = 0;
    PART.lastIndex = 0;
    let consumed = 0;
    for (let match = PART.exec(input); match; match = PART.exec(input)) {
      ms += Number(match[1]) * UNIT_MS[match[2]!]!;
      consumed = PART.lastIndex;
    }
    if (input === '' || consumed !== input.length)
      throw new UsageError(`invalid ${what} "${String(text).slice(0, 40)}" (${EXAMPLES})`);
  }
  ms = Math.round(ms);
  if (ms < minMs)
    throw new UsageError(
      `${what} "${text}" is too short: the minimum is ${minMs >= 1000 ? `${minMs / 1000}s` : `${minMs}ms`}`,
    );
  if (ms > MAX_INTERVAL_MS) throw new UsageError(`${what} "${text}" is too long: the maximum is 24d`);
  return ms;
}
