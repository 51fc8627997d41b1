/**
 * undici, loaded on first use instead of at import: `require('undici')` costs 110-270 ms of CPU on this class of
 * machine (fetch, WebSocket, cookies and the cache stores come with its index), and most importers of the library
 * (a rule author, `analyze` of a saved snapshot, `--help`) never send a request. Every value import of undici goes
 * through here; type imports (`import type { Dispatcher } from 'undici'`) cost nothing and stay as they are.
 *
 * In the CLI bundle this dynamic import becomes a chunk of the lean undici (tsup.config.ts), loaded while the first
 * request is being prepared.
 */
type Undici = typeof import('undici');

let loading: Promise<Undici> | undefined;

/** The undici module; the first call starts loading it, every later call gets the same promise. */
export function loadUndici(): Promise<Undici> {
  return (loading ??= import('undici'));
}
