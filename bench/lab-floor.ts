/**
 * The floor of a CLI run in a lab scenario: the silent waits the run cannot avoid, derived from the configured values
 * in src (not from a measurement of the run itself), plus what a run costs with no network at all.
 *
 * Collectors run concurrently, so the silent part of the floor is the longest single wait, not their sum:
 * - SSDP: with no IGD on the router, discovery listens its whole window (UPnP collector's budget, capped by
 *   DEFAULT_DISCOVERY_TIMEOUT_MS). With an IGD it stops on the first usable answer: no wait.
 * - NAT-PMP: a router that refuses (ICMP port unreachable, the lab's routers have no input filter) ends the probe at
 *   once; a router that DROPS 5351 is retransmitted to until the probe's budget of the collector's deadline.
 * - Everything else in the presets answers or refuses (no hairpin NAT: the public address is refused from the LAN).
 */
import { DEFAULT_DISCOVERY_TIMEOUT_MS } from '../src/probes/upnp/discover.js';
import { probeUpnpCollector } from '../src/collect/builtin/network.js';
import { probeBudget } from '../src/collect/builtin/probe-value.js';
import { parseDuration } from '../src/watch/interval.js';
import type { LabScenario } from '../test/lab/harness/index.js';
import { normalizeScenario } from '../test/lab/harness/index.js';
import { CLI_TIMEOUT } from '../test/lab/cli-run.js';

export interface SilentWait {
  what: string;
  ms: number;
}

/** The `--timeout` every lab CLI run gets, in ms (each collector's deadline unless it has its own). */
export const cliTimeoutMs = (): number => parseDuration(CLI_TIMEOUT, { minMs: 100, what: 'timeout' });

export interface FloorOptions {
  /** The bench made the router drop NAT-PMP (UDP 5351) instead of refusing it. */
  natPmpDropped?: boolean;
}

/** The waits a run in `scenario` must sit out, longest first. */
export function silentWaits(scenario: LabScenario, options: FloorOptions = {}): SilentWait[] {
  const normalized = normalizeScenario(scenario);
  const waits: SilentWait[] = [];
  if (normalized.router.upnp === 'none') {
    const upnpBudget = probeBudget(probeUpnpCollector.timeoutMs ?? cliTimeoutMs());
    waits.push({ what: 'SSDP window (no IGD answers)', ms: Math.min(DEFAULT_DISCOVERY_TIMEOUT_MS, upnpBudget) });
  }
  const natPmpSilent = options.natPmpDropped && (normalized.router.upnp !== 'miniupnpd' || !normalized.router.natpmp);
  if (natPmpSilent)
    waits.push({ what: 'NAT-PMP retransmits to a silent router (probe budget)', ms: probeBudget(cliTimeoutMs()) });
  return waits.sort((a, b) => b.ms - a.ms);
}
