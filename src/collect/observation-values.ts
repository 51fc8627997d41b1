/**
 * The value type of every observation id, so `ctx.get('server.account')` is typed in collectors and rules. Users add
 * their collectors' types with declaration merging:
 * `declare module 'plex-diagnose' { interface ObservationValues { 'my.check': { ok: boolean } } }`.
 */
import type { AlternatePortResult } from '../experiments/alternate-port-schema.js';
import type { GdmDiscovery } from '../probes/gdm.js';
import type { HostInfo } from '../probes/host/index.js';
import type { NatPmpValue } from '../probes/natpmp.js';
import type { TcpProbeValue } from '../probes/tcp.js';
import type { UpnpProbeValue } from '../probes/upnp/schema.js';
import type { PlexUser } from '../plextv/index.js';
import type { MyPlexAccount, ServerIdentity, ServerPrefs, ServerRoot } from '../server/index.js';
import type { ConnectionsValue, PlexDirectDnsCollection } from './builtin/connections.js';
import type { PublicIpValue, ResourcesValue } from './builtin/plextv.js';

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
  'experiment.alternatePort': AlternatePortResult;
}
