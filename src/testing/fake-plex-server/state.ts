/** The fake server's live, mutable state, and the shapes of its options that the helpers share. */

/** The account as `/myplex/account` reports it. Strings and numbers exactly as PMS would send them. */
export interface FakeAccountState {
  /** unknown | waiting | mapped | failed. */
  mappingState: string;
  /** '' when there is none; badauth | unreachable | myplexgone | publisherror | doublenat | jumboframes. */
  mappingError: string;
  mappingErrorMessage: string;
  publicAddress: string;
  publicPort: number;
  privateAddress: string;
  privatePort: number;
  username: string;
  subscriptionActive: boolean;
  /** 'Active' when subscribed, else 'Unknown'. */
  subscriptionState: string;
  subscriptionFeatures: string[];
}

/** What the last publish to the fake plex.tv sent and got back (testing insight, not Plex API). */
export interface FakePublishRecord {
  body: FakePublishBody;
  /** The public address plex.tv saw, or undefined when publishing failed. */
  publicAddress?: string;
  error?: string;
}

/** What the last reachability check asked and got back. */
export interface FakeReachabilityRecord {
  port: number;
  reachable: boolean;
  checked?: string;
  error?: string;
}

export interface FakePlexServerState {
  readonly machineIdentifier: string;
  friendlyName: string;
  version: string;
  platform: string;
  platformVersion: string;
  /** false: never claimed; identity says claimed=0, sign-in state `none`. */
  claimed: boolean;
  /** false (while claimed): sign-in state `invalid`. */
  signedIn: boolean;
  /** Stored prefs by id, canonical strings: bool "1"/"0", numbers in decimal, text as is. */
  prefs: Record<string, string>;
  account: FakeAccountState;
  /** The last publish to the fake plex.tv, when one was made. */
  lastPublish?: FakePublishRecord;
  /** The last reachability check, when one was made. */
  lastReachability?: FakeReachabilityRecord;
  /** The `<hash>` of the server's `*.<hash>.plex.direct` certificate, published so plex.tv lists plex.direct uris. */
  certificateHash?: string;
}

/**
 * Body of `POST {plexTv}/__fake/servers/publish`: a testing-only contract between our fakes, NOT Plex API. The real
 * PMS publishes itself to plex.tv in a way we do not know; this carries what the fake plex.tv needs to build
 * `api/v2/resources` entries and to connect back.
 */
export interface FakePublishBody {
  machineIdentifier: string;
  name: string;
  productVersion: string;
  platform: string;
  platformVersion: string;
  localAddresses: string[];
  /** The server's private port. */
  port: number;
  /** The mapped public port, when there is one. */
  publicPort?: number;
  httpsRequired: boolean;
  relayEnabled: boolean;
  customConnections: string[];
  certificateHash?: string;
  remoteAccessEnabled: boolean;
  /** Global IPv6 addresses the server publishes (while EnableIPv6 is on): direct connections, no NAT. */
  ipv6Addresses?: string[];
}

/** The sign-in state PMS reports for a claimed/signed-in combination. */
export function signInStateOf(state: Pick<FakePlexServerState, 'claimed' | 'signedIn'>): 'none' | 'invalid' | 'ok' {
  if (!state.claimed) return 'none';
  return state.signedIn ? 'ok' : 'invalid';
}

export function prefBool(state: FakePlexServerState, id: string): boolean {
  return state.prefs[id] === '1';
}

export function prefNumber(state: FakePlexServerState, id: string): number {
  const value = Number(state.prefs[id]);
  return Number.isFinite(value) ? value : 0;
}

export function prefList(state: FakePlexServerState, id: string): string[] {
  return (state.prefs[id] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}
