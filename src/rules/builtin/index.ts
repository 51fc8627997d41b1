// The built-in rule catalogue, in the order ties are broken in the report. One rule a file, named by its id;
// each has test/rules/builtin/<id>.test.ts and docs/rules/<id>.md (test/docs.test.ts enforces both).
import { ruleDocsUrl } from '../docs-header.js';
import type { AnyRule } from '../types.js';
import cgnat from './cgnat.js';
import containerAddressAdvertised from './container-address-advertised.js';
import customUrlProblem from './custom-url-problem.js';
import lanNetworksMisconfigured from './lan-networks-misconfigured.js';
import plexDirectDnsRebinding from './plex-direct-dns-rebinding.js';
import relayOnly from './relay-only.js';
import secureConnectionsRequired from './secure-connections-required.js';
import plexTvUnreachable from './plextv-unreachable.js';
import remoteAccessDisabled from './remote-access-disabled.js';
import serverNotClaimed from './server-not-claimed.js';
import serverStale from './server-stale.js';
import serverUnreachable from './server-unreachable.js';
import tokenRejected from './token-rejected.js';
import declaredFactContradicted from './declared-fact-contradicted.js';
import doubleNat from './double-nat.js';
import ispBlocksPort from './isp-blocks-port.js';
import manualPortMismatch from './manual-port-mismatch.js';
import mappingFailed from './mapping-failed.js';
import noPortForward from './no-port-forward.js';
import vpnOnServer from './vpn-on-server.js';

function withDocsUrl(rule: AnyRule): AnyRule {
  return { ...rule, meta: { ...rule.meta, docsUrl: ruleDocsUrl(rule.id) } };
}

export const builtinRules: readonly AnyRule[] = [
  // The server and the account: nothing else can work until these do.
  serverUnreachable,
  serverNotClaimed,
  tokenRejected,
  plexTvUnreachable,
  remoteAccessDisabled,
  // Causes on the path to the internet, most specific first.
  vpnOnServer,
  cgnat,
  doubleNat,
  manualPortMismatch,
  noPortForward,
  ispBlocksPort,
  // The LAN side: what local clients are given to dial, and whether they can.
  containerAddressAdvertised,
  plexDirectDnsRebinding,
  secureConnectionsRequired,
  customUrlProblem,
  lanNetworksMisconfigured,
  // Plex's own verdict (usually explained by one of the above), and its consequences.
  mappingFailed,
  relayOnly,
  serverStale,
  // What you said against what was measured.
  declaredFactContradicted,
].map(withDocsUrl);
