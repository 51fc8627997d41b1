/**
 * The value type of every observation id, so `ctx.get('server.account')` is typed in collectors and rules. Users add
 * their collectors' types with declaration merging:
 * `declare module 'plex-diagnose' { interface ObservationValues { 'my.check': { ok: boolean } } }`.
 */
import type { AlternatePortResult } from './values/alternate-port.js';
import type { GdmDiscovery } from '../probes/gdm.js';
import type { HostInfo } from '../probes/host/index.js';
import type { NatPmpValue } from '../probes/natpmp/probe.js';
import type { TcpProbeValue } from '../probes/tcp.js';
import type { UpnpProbeValue } from '../probes/upnp/schema.js';
import type { PlexUser } from '../clients/plextv/index.js';
import type { MyPlexAccount, ServerIdentity, ServerPrefs, ServerRoot } from '../clients/server/index.js';
import type { ConnectionsValue, PlexDirectDnsCollection } from './values/connections.js';
import type { PublicIpValue, ResourcesValue } from './values/plextv.js';
import type { OutsideCheckValue } from './values/outside.js';
import type { HostFirewallValue, HostListenValue } from './values/host.js';
import type {
  DeclaredForwards,
  DeclaredFrontDoor,
  DeclaredKubernetes,
  DeclaredRemoteAccess,
} from './values/declared.js';
import type { KubernetesValue } from './values/kubernetes.js';

export interface ObservationValues {
  'server.identity': ServerIdentity;
  'server.root': ServerRoot;
  'server.prefs': ServerPrefs;
  'server.account': MyPlexAccount;
  'plextv.user': PlexUser;
  'plextv.resources': ResourcesValue;
  'plextv.publicIp': PublicIpValue;
  'probe.target': TcpProbeValue;
  'probe.host': HostInfo;
  'probe.upnp': UpnpProbeValue;
  'probe.natpmp': NatPmpValue;
  'probe.gdm': GdmDiscovery;
  'probe.connections': ConnectionsValue;
  'probe.plexDirectDns': PlexDirectDnsCollection;
  'probe.outside': OutsideCheckValue;
  'experiment.alternatePort': AlternatePortResult;
  'declared.forwards': DeclaredForwards;
  'declared.remoteAccess': DeclaredRemoteAccess;
  'declared.frontDoor': DeclaredFrontDoor;
  'declared.kubernetes': DeclaredKubernetes;
  'host.kubernetes': KubernetesValue;
  'host.listen': HostListenValue;
  'host.firewall': HostFirewallValue;
}
