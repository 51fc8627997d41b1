/**
 * What collectors talk to: the two API clients and the probe functions. Everything here is injectable, so the
 * scenario presets and tests can supply network facts (a UPnP table, a VPN route) that a loopback test cannot create.
 */
import type { NetworkOptions, ProbeSet } from '../probes/probe-set.js';
import type { PlexTvClient } from '../clients/plextv/client.js';
import type { ServerClient } from '../clients/server/client.js';

export { defaultProbes } from '../probes/probe-set.js';
export type { NetworkOptions, ProbeSet } from '../probes/probe-set.js';

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
}
