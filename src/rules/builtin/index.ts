// The built-in rule catalogue, in the order ties are broken in the report. One rule a file, named by its id;
// each has test/rules/builtin/<id>.test.ts and docs/rules/<id>.md (test/docs.test.ts enforces both).
import { ruleDocsUrl } from '../docs-header.js';
import { BUILTIN_RULE_IDS, type BuiltinRuleId } from '../builtin-ids.js';
import type { AnyRule } from '../types.js';
import type { BuiltinRule } from './define-builtin-rule.js';
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
import outsideReachability from './outside-reachability.js';
import outsideFrontDoor from './outside-front-door.js';
import outsidePortClosed from './outside-port-closed.js';
import forwardReachesOtherHost from './forward-reaches-other-host.js';
import ipv6BypassesCgnat from './ipv6-bypasses-cgnat.js';
import ipv6PublishedUnreachable from './ipv6-published-unreachable.js';
import kubernetesPodAddressAdvertised from './kubernetes-pod-address-advertised.js';
import kubernetesPortMismatch from './kubernetes-port-mismatch.js';
import kubernetesLbPending from './kubernetes-lb-pending.js';
import remoteStreamingEntitlement from './remote-streaming-entitlement.js';
import hostFirewallBlocksPort from './host-firewall-blocks-port.js';
import plexListensWrongAddress from './plex-listens-wrong-address.js';

function withDocsUrl(rule: AnyRule): AnyRule {
  return { ...rule, meta: { ...rule.meta, docsUrl: ruleDocsUrl(rule.id) } };
}

// Keyed by id, and checked against the id list: a rule missing, one too many, or filed under another id than its own
// is a compile error. The order of the report's tie-breaks is the list's (builtin-ids.ts).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each rule keeps its own message and fix ids
const catalogue: { readonly [Id in BuiltinRuleId]: BuiltinRule<Id, any, any, any> } = {
  'server-unreachable': serverUnreachable,
  'server-not-claimed': serverNotClaimed,
  'token-rejected': tokenRejected,
  'plextv-unreachable': plexTvUnreachable,
  'remote-access-disabled': remoteAccessDisabled,
  'vpn-on-server': vpnOnServer,
  cgnat,
  'double-nat': doubleNat,
  'manual-port-mismatch': manualPortMismatch,
  'no-port-forward': noPortForward,
  'isp-blocks-port': ispBlocksPort,
  'container-address-advertised': containerAddressAdvertised,
  'plex-direct-dns-rebinding': plexDirectDnsRebinding,
  'secure-connections-required': secureConnectionsRequired,
  'custom-url-problem': customUrlProblem,
  'lan-networks-misconfigured': lanNetworksMisconfigured,
  'mapping-failed': mappingFailed,
  'relay-only': relayOnly,
  'server-stale': serverStale,
  'declared-fact-contradicted': declaredFactContradicted,
  'outside-reachability': outsideReachability,
  'outside-front-door': outsideFrontDoor,
  'outside-port-closed': outsidePortClosed,
  'forward-reaches-other-host': forwardReachesOtherHost,
  'ipv6-bypasses-cgnat': ipv6BypassesCgnat,
  'ipv6-published-unreachable': ipv6PublishedUnreachable,
  'kubernetes-pod-address-advertised': kubernetesPodAddressAdvertised,
  'kubernetes-port-mismatch': kubernetesPortMismatch,
  'kubernetes-lb-pending': kubernetesLbPending,
  'remote-streaming-entitlement': remoteStreamingEntitlement,
  'host-firewall-blocks-port': hostFirewallBlocksPort,
  'plex-listens-wrong-address': plexListensWrongAddress,
};

export const builtinRules: readonly AnyRule[] = BUILTIN_RULE_IDS.map((id) => withDocsUrl(catalogue[id]));
