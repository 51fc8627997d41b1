/**
 * The partial-evidence corpus (issue 12): setups as real owners report them, with only the evidence such a report (or
 * a run on such a machine) actually has. Written from how troubleshooting threads read, not from our own scenarios:
 * two or three facts, a Remote Access page line, a compose file, a router that answers or not.
 */
import type { Observation } from '../../src/core/observation.js';
import type { Snapshot } from '../../src/core/snapshot.js';
import { HOME, accountValue, failed, ok, prefsValue, skipped, upnpValue } from '../../src/testing/observations.js';
import { ServerIdentity } from '../../src/clients/server/index.js';

export interface CorpusExpectation {
  /** Never 'ok': every case here is broken. Inconclusive when the evidence cannot decide. */
  verdict: 'problems' | 'inconclusive';
  /** The rule the report should name first (the top root cause, or the top differential candidate). */
  cause?: string;
  /** Rules that must appear among the findings or the differential's candidates. */
  candidates?: string[];
}

export interface CorpusCase {
  id: string;
  /** How the owner put it (paraphrased, the way such threads read). */
  story: string;
  /** Only what such a report or run has: everything else is absent (not collected) or skipped/failed. */
  observations: Record<string, Observation>;
  snapshot?: Partial<Snapshot>;
  expect: CorpusExpectation;
}

export const identity = (claimed = true): Observation =>
  ok(ServerIdentity.parse({ machineIdentifier: HOME.machineIdentifier, version: '1.41.3.9314-a0bfb8370', claimed }));
export const account = (overrides: Record<string, unknown>): Observation => ok(accountValue(overrides));
export const prefs = (values: Parameters<typeof prefsValue>[0] = {}): Observation => ok(prefsValue(values));
export const upnp = (overrides: Parameters<typeof upnpValue>[0] = {}): Observation => ok(upnpValue(overrides));
export const noIgd = (): Observation => failed('ENOIGD', 'no UPnP IGD answered the SSDP search', { phase: 'timeout' });
export const noNatPmp = (): Observation =>
  failed('ETIMEDOUT', 'no NAT-PMP answer from 192.168.1.1:5351', { phase: 'timeout' });
export const noToken = (): Observation =>
  skipped('no token: pass --token, set PLEX_TOKEN or run `plex-diagnose login`');

/** What the Remote Access page shows as "Not available outside your network": plex.tv could not connect back. */
export const unreachable = (extra: Record<string, unknown> = {}): Observation =>
  account({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0, ...extra });

export function defineCases(cases: CorpusCase[]): CorpusCase[] {
  return cases;
}
