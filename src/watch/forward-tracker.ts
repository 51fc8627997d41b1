/**
 * Per-forward debounced alerting, the same way the report tracker (tracker.ts) debounces a report: a forward's verdict
 * (open or broken) must be seen `debounce` runs in a row before it is confirmed; confirming broken sends ONE
 * forward-broken alert (also for a forward that was never up), confirming open again ONE forward-recovered. A blip
 * back to the confirmed verdict clears the pending one, so flapping sends nothing.
 *
 * A run whose outside check did not happen (reflector down, refusing, rate-limited) is a gap for every forward: it
 * neither confirms nor resets anything, and after `debounce` such runs in a row ONE outside-unavailable note goes out
 * (again only after the reflector has answered in between).
 *
 * Memory: one small fixed record per forward (at most `maxForwards`), no history. No clock: the caller passes `at`.
 */
import { UsageError } from '../core/errors.js';
import type { TcpState } from '../probes/tcp.js';
import { alertCause, clean, forwardName, type Alert, type AlertForward, type ForwardCauseKey } from './alert.js';
import { forwardCause } from './forward-cause.js';
import type { CycleEvidence, ForwardSpec } from './forward-evidence.js';

export const MAX_FORWARDS = 64;

export interface ForwardTrackerOptions {
  forwards: readonly ForwardSpec[];
  /** Runs a new verdict must persist before it is confirmed. @default 2 */
  debounce?: number;
  /** @default MAX_FORWARDS (64) */
  maxForwards?: number;
}

/** One run as the tracker sees it: the evidence, and the LAN probes of forwards seen broken (by external port). */
export interface ForwardCycle {
  evidence: CycleEvidence;
  lan?: ReadonlyMap<number, TcpState>;
}

/** A forward's confirmed state, for the status page. */
export interface ForwardRow {
  externalPort: number;
  name: string;
  state: 'open' | 'broken' | 'unknown';
  /** When the confirmed state began (its first run). */
  since?: string;
  cause?: ForwardCauseKey;
  /** What the reflector met in the latest run that checked it. */
  seen?: string;
}

export interface ForwardTracker {
  observe(cycle: ForwardCycle, at: string): Alert[];
  rows(): ForwardRow[];
  readonly debounce: number;
}

type Verdict = 'open' | 'broken';

interface ForwardRecord {
  readonly spec: ForwardSpec;
  confirmed?: Verdict;
  confirmedSince?: string;
  pending?: { verdict: Verdict; runs: number; since: string };
  cause?: ForwardCauseKey;
  seen?: string;
  wanWhenOpen?: string;
  mappedWhenOpen?: boolean;
}

function lanTarget(spec: ForwardSpec): string | undefined {
  if (!spec.host || !spec.internalPort) return undefined;
  return `${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.internalPort}`;
}

function forwardOf(spec: ForwardSpec, since: string): AlertForward {
  const target = lanTarget(spec);
  return {
    externalPort: spec.externalPort,
    ...(target ? { target } : {}),
    ...(spec.label ? { label: clean(spec.label) } : {}),
    since,
  };
}

export function createForwardTracker(options: ForwardTrackerOptions): ForwardTracker {
  const debounce = options.debounce ?? 2;
  const max = options.maxForwards ?? MAX_FORWARDS;
  if (!Number.isInteger(debounce) || debounce < 1)
    throw new UsageError(`debounce must be a whole number of runs, at least 1 (got ${debounce})`);
  if (options.forwards.length > max)
    throw new UsageError(`at most ${max} forwards can be monitored (got ${options.forwards.length})`);
  const ports = new Set(options.forwards.map((f) => f.externalPort));
  if (ports.size !== options.forwards.length) throw new UsageError('each forward (external port) at most once');
  const records: ForwardRecord[] = options.forwards.map((spec) => ({ spec: { ...spec } }));
  let down: { runs: number; since: string; noted: boolean } | undefined;

  function unavailable(reason: string, at: string): Alert[] {
    down = down ? { ...down, runs: down.runs + 1 } : { runs: 1, since: at, noted: false };
    if (down.noted || down.runs < debounce) return [];
    down.noted = true;
    const message = clean(reason);
    return [
      {
        kind: 'outside-unavailable',
        at,
        state: { status: 'diagnosis-failed', causes: [] },
        previous: null,
        causes: [],
        error: { message },
        summary: clean(
          `Outside checks unavailable since ${down.since} (${down.runs} runs): ${message}; no forward is judged until the reflector answers`,
        ),
      },
    ];
  }

  function observe(cycle: ForwardCycle, at: string): Alert[] {
    const { evidence } = cycle;
    if (!evidence.available) return unavailable(evidence.reason, at);
    down = undefined;
    const alerts: Alert[] = [];
    for (const record of records) {
      const seen = evidence.ports.get(record.spec.externalPort);
      if (!seen) continue; // not in this answer: no verdict, nothing changes
      record.seen = seen.seen;
      const alert = step(record, seen.verdict, at, () => {
        const cause = forwardCause({
          spec: record.spec,
          seen,
          lan: cycle.lan?.get(record.spec.externalPort),
          wanNow: evidence.wan,
          wanWhenOpen: record.wanWhenOpen,
          mappedWhenOpen: record.mappedWhenOpen,
        });
        record.cause = cause.key;
        const finding = seen.finding ? alertCause(seen.finding) : undefined;
        return { cause, finding, seenText: seen.seen };
      });
      if (seen.verdict === 'open') {
        // After step(): a cause is judged against the last run the forward WORKED, not this one.
        record.wanWhenOpen = evidence.wan;
        if (seen.mapped !== undefined) record.mappedWhenOpen = seen.mapped;
      }
      if (alert) alerts.push(alert);
    }
    return alerts;
  }

  type Judge = () => {
    cause: ReturnType<typeof forwardCause>;
    finding: ReturnType<typeof alertCause> | undefined;
    seenText: string;
  };

  function step(record: ForwardRecord, verdict: Verdict, at: string, judge: Judge): Alert | undefined {
    if (record.confirmed === verdict) {
      record.pending = undefined; // the blip is over
      return undefined;
    }
    record.pending =
      record.pending?.verdict === verdict
        ? { ...record.pending, runs: record.pending.runs + 1 }
        : { verdict, runs: 1, since: at };
    if (record.pending.runs < debounce) return undefined;
    const previous = record.confirmed;
    const brokenSince = record.confirmedSince;
    record.confirmed = verdict;
    record.confirmedSince = record.pending.since;
    record.pending = undefined;
    const since = record.confirmedSince;
    const name = forwardName(forwardOf(record.spec, since));
    if (verdict === 'broken') {
      const { cause, finding, seenText } = judge();
      // A rule's finding about this port says more than "unknown".
      const headline = cause.key === 'unknown' && finding ? finding.message : cause.message;
      return {
        kind: 'forward-broken',
        at,
        state: { status: 'problem', causes: [{ ruleId: 'forward-watch', messageId: cause.key }] },
        previous: previous === 'open' ? { status: 'healthy', causes: [] } : null,
        causes: [
          {
            ruleId: 'forward-watch',
            messageId: cause.key,
            severity: 'error',
            message: clean(cause.message),
            fix: clean(cause.fix),
          },
          ...(finding ? [finding] : []),
        ],
        summary: clean(
          `Port forward broken: ${name}, ${seenText} from outside since ${since}${previous === undefined ? ' (not seen working since the watch started)' : ''}: ${headline}`,
        ),
        forward: { ...forwardOf(record.spec, since), seen: seenText, cause: cause.key },
      };
    }
    record.cause = undefined;
    if (previous !== 'broken') return undefined; // first confirmation of a working forward: nothing to say
    return {
      kind: 'forward-recovered',
      at,
      state: { status: 'healthy', causes: [] },
      previous: { status: 'problem', causes: [{ ruleId: 'forward-watch', messageId: 'broken' }] },
      causes: [],
      summary: clean(
        `Port forward recovered: ${name} answers from outside again since ${since} (broken since ${brokenSince})`,
      ),
      forward: { ...forwardOf(record.spec, since), ...(brokenSince ? { brokenSince } : {}), seen: 'open' },
    };
  }

  function rows(): ForwardRow[] {
    return records.map((record) => ({
      externalPort: record.spec.externalPort,
      name: forwardName(forwardOf(record.spec, '')),
      state: record.confirmed ?? 'unknown',
      ...(record.confirmedSince ? { since: record.confirmedSince } : {}),
      ...(record.cause ? { cause: record.cause } : {}),
      ...(record.seen ? { seen: record.seen } : {}),
    }));
  }

  return { observe, rows, debounce };
}
