/**
 * What collectors talk to: the two API clients and the probe functions. Everything here is injectable, so the
 * scenario presets and tests can supply network facts (a UPnP table, a VPN route) that a loopback test cannot create.
 */
import { defaultNetworkProbes, type NetworkOptions, type NetworkProbeSet } from '../probes/probe-set.js';
import { checkFromOutside } from '../outside/client.js';
import type { PortCheckRequest } from '../outside/protocol.js';
import type { PlexTvClient } from '../clients/plextv/client.js';
import type { ServerClient } from '../clients/server/client.js';
import type { DeclaredFacts } from './values/declared.js';

export type { NetworkOptions } from '../probes/probe-set.js';

/** The probe functions a collection uses: the network probes, plus the outside check (a reflector's client). */
export interface ProbeSet extends NetworkProbeSet {
  /** The reflector client (scenario presets may answer for an outside vantage). */
  outside: typeof checkFromOutside;
}

export const defaultProbes: ProbeSet = { ...defaultNetworkProbes, outside: checkFromOutside };

/** An outside check through a reflector the user runs elsewhere (`plex-diagnose reflector`). */
export interface OutsideCheckSettings {
  /** The reflector, e.g. `https://reflector.example.net:8443`. */
  reflectorUrl: string;
  /** The shared secret; it signs requests and is never stored in a snapshot. */
  secret: string;
  /** Forwards to check besides Plex's public port (at most 7 more). @default [] */
  forwards?: PortCheckRequest[];
  /** Extra PEM certificates to trust for an https reflector. @default [] */
  caCertificates?: string[];
}

export interface CollectServices {
  /** The target Plex Media Server. */
  server: ServerClient;
  /**
   * The same server, not bound to the collection's abort signal: for restoring what an experiment changed, which must
   * still reach the server after Ctrl-C.
   */
  serverForRestore?: ServerClient;
  /** plex.tv; absent when disabled (`--no-plextv`). */
  plexTv?: PlexTvClient;
  /** Whether a token was given (the clients hold it; collectors never see it). */
  tokenProvided: boolean;
  probes: ProbeSet;
  network: NetworkOptions;
  /** The reflector to check from; absent when none was given (the outside collector then skips). */
  outside?: OutsideCheckSettings;
  /** What the user stated (flags, or answers on a terminal); the `declared.*` collectors record it. */
  declared?: DeclaredFacts;
}
