// The built-in collectors. Which of them run is decided by the enabled rules' `requires` and `uses`.
import type { AnyCollector } from '../define-collector.js';
import { probeConnectionsCollector, probePlexDirectDnsCollector } from './connections.js';
import {
  probeGdmCollector,
  probeHostCollector,
  probeNatPmpCollector,
  probeTargetCollector,
  probeUpnpCollector,
} from './network.js';
import { probeOutsideCollector } from './outside.js';
import { declaredCollectors } from './declared.js';
import { hostKubernetesCollector } from './kubernetes.js';
import { hostFirewallCollector, hostListenCollector } from './host.js';
import { plexTvPublicIp, plexTvResources, plexTvUser } from './plextv.js';
import { serverAccount, serverIdentity, serverPrefs, serverRoot } from './server.js';

export const builtinCollectors: readonly AnyCollector[] = [
  serverIdentity,
  serverRoot,
  serverPrefs,
  serverAccount,
  plexTvUser,
  plexTvResources,
  plexTvPublicIp,
  probeTargetCollector,
  probeHostCollector,
  probeUpnpCollector,
  probeNatPmpCollector,
  probeGdmCollector,
  probeConnectionsCollector,
  probePlexDirectDnsCollector,
  probeOutsideCollector,
  hostKubernetesCollector,
  hostListenCollector,
  hostFirewallCollector,
  // What the user stated (no I/O): skipped unless stated.
  ...declaredCollectors,
];
