/**
 * Watching every listed forward from outside, as a building block of the watch loop (`runWatch({ forwards })`): each
 * run's report (analyzed with `includeSnapshot`) gives the reflector's verdict per external port; a forward seen
 * broken gets its LAN side probed from here (so "host down" is told from "not forwarded"); the tracker turns that into
 * at most one alert per forward that breaks and one when it recovers.
 *
 * A run whose diagnosis failed is a gap here: the report tracker already alerts about it.
 */
import { probeTcp, tcpState, type TcpState } from '../probes/tcp.js';
import type { Alert } from './alert.js';
import { cycleEvidence, type ForwardSpec } from './forward-evidence.js';
import { createForwardTracker, type ForwardRow, type ForwardTrackerOptions } from './forward-tracker.js';
import type { RunOutcome } from './tracker.js';

export interface ForwardWatchOptions extends ForwardTrackerOptions {
  /** Deadline of each LAN probe. @default 3000 */
  lanTimeoutMs?: number;
  /** The LAN probe (a TCP handshake to host:port); injectable for tests. @default probeTcp */
  probeLan?: (host: string, port: number, options: { timeoutMs: number; signal: AbortSignal }) => Promise<TcpState>;
}

export interface ForwardWatch {
  /** Feeds one run; returns the alerts it confirmed (none, one per forward that changed, or the outside note). */
  observe(outcome: RunOutcome, at: string, signal: AbortSignal): Promise<Alert[]>;
  /** Every forward's confirmed state, for a status page. */
  rows(): ForwardRow[];
  readonly debounce: number;
}

const defaultProbeLan: NonNullable<ForwardWatchOptions['probeLan']> = async (host, port, options) =>
  tcpState(await probeTcp(host, port, options));

export function createForwardWatch(options: ForwardWatchOptions): ForwardWatch {
  const tracker = createForwardTracker(options);
  const probeLan = options.probeLan ?? defaultProbeLan;
  const timeoutMs = options.lanTimeoutMs ?? 3000;
  const specs: readonly ForwardSpec[] = options.forwards;

  async function observe(outcome: RunOutcome, at: string, signal: AbortSignal): Promise<Alert[]> {
    if (!outcome.report) return [];
    const evidence = cycleEvidence(outcome.report);
    const lan = new Map<number, TcpState>();
    if (evidence.available) {
      const broken = specs.filter(
        (spec) => spec.host && spec.internalPort && evidence.ports.get(spec.externalPort)?.verdict === 'broken',
      );
      await Promise.all(
        broken.map(async (spec) => {
          try {
            lan.set(spec.externalPort, await probeLan(spec.host!, spec.internalPort!, { timeoutMs, signal }));
          } catch {
            // A probe that throws told nothing: the cause then says what would tell.
          }
        }),
      );
    }
    return tracker.observe({ evidence, lan }, at);
  }

  return { observe, rows: () => tracker.rows(), debounce: tracker.debounce };
}
