/** Collectors over plex.tv: the account's view of this server and of the address it connects from. */
import { classifyAddress } from '../../core/net/address.js';
import { findServer, type PlexDevice, PlexUser, serversOf, withoutSecrets } from '../../clients/plextv/index.js';
import { PublicIpValue, ResourcesValue } from '../values/plextv.js';
import { defineCollector, type CollectorContext, type PrefetchContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';

function plexTv(ctx: Pick<CollectorContext<CollectServices>, 'services' | 'skip'>, needsToken: boolean) {
  const client = ctx.services.plexTv;
  if (!client) return ctx.skip('plex.tv is turned off (--no-plextv)');
  if (needsToken && !ctx.services.tokenProvided)
    return ctx.skip('no token: plex.tv needs one (pass --token, set PLEX_TOKEN or run `plex-diagnose login`)');
  return client;
}

export const plexTvUser = defineCollector({
  id: 'plextv.user',
  title: 'plex.tv account',
  schema: PlexUser,
  collect: (ctx: CollectorContext<CollectServices>) => plexTv(ctx, true).user({ signal: ctx.signal }),
});

export const plexTvResources = defineCollector({
  id: 'plextv.resources',
  title: "plex.tv's record of this server",
  after: ['server.identity'],
  schema: ResourcesValue,
  // The device list does not depend on /identity; only picking this server out of it does. Fetched from the start,
  // it is no longer a link in the chain /identity → resources → connection probes (bench/e2e-latency.ts).
  prefetch: (ctx: PrefetchContext<CollectServices>) => plexTv(ctx, true).resources({ signal: ctx.signal }),
  async collect(ctx: CollectorContext<CollectServices>): Promise<ResourcesValue> {
    const devices = (await ctx.prefetched()) as PlexDevice[];
    const servers = serversOf(devices);
    const machineIdentifier = ctx.get('server.identity')?.machineIdentifier;
    const matched = machineIdentifier ? findServer(servers, machineIdentifier) : undefined;
    const owned = servers.filter((s) => s.owned !== false);
    const server = matched ?? (!machineIdentifier && owned.length === 1 ? owned[0] : undefined);
    return {
      ...(server ? { server: withoutSecrets(server) } : {}),
      matchedBy: matched ? 'machine-identifier' : server ? 'only-server' : 'none',
      servers: servers.map((s) => ({
        name: s.name,
        clientIdentifier: s.clientIdentifier,
        owned: s.owned,
        presence: s.presence,
        publicAddress: s.publicAddress,
      })),
    };
  },
});

export const plexTvPublicIp = defineCollector({
  id: 'plextv.publicIp',
  title: 'Public address (as plex.tv sees this machine)',
  schema: PublicIpValue,
  async collect(ctx: CollectorContext<CollectServices>): Promise<PublicIpValue> {
    const address = await plexTv(ctx, false).publicIp({ signal: ctx.signal });
    return { address, class: classifyAddress(address) };
  },
});
