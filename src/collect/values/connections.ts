/** The values of `probe.connections` and `probe.plexDirectDns`: every advertised connection, probed. */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';
import { AddressClassSchema } from '../../probes/address-class.js';
import { PlexDirectDnsValue } from '../../probes/dns.js';
import { IdentityProbeValue } from '../../probes/identity/probe.js';
import { TcpProbeValue } from '../../probes/tcp.js';
import { probeResultSchema } from '../../probes/types.js';

export const ProbedConnection = lazySchema(() =>
  z.object({
    uri: z.string(),
    protocol: z.string(),
    /** The host a client dials (plex.direct name, IP, or custom host name). */
    host: z.string(),
    port: z.number(),
    kind: z.enum(['local', 'remote', 'relay', 'custom']),
    /** Class of the IP a client ends up dialling (the plex.direct-encoded one); `invalid` for a host name. */
    addressClass: AddressClassSchema,
    /** The address plex.tv lists (may differ from the uri host for custom URLs). */
    address: z.string(),
    local: z.boolean(),
    relay: z.boolean(),
    /** Where we learned of it: plex.tv's resources, or only the server's customConnections pref. */
    source: z.enum(['plex.tv', 'customConnections']),
    tcp: probeResultSchema(TcpProbeValue).optional(),
    identity: probeResultSchema(IdentityProbeValue).optional(),
    /** Why it was not probed (relay connections belong to Plex). */
    notProbed: z.string().optional(),
  }),
);
export type ProbedConnection = z.infer<typeof ProbedConnection>;

export const ConnectionsValue = lazySchema(() => z.object({ connections: z.array(realSchema(ProbedConnection)) }));
export type ConnectionsValue = z.infer<typeof ConnectionsValue>;

export const PlexDirectDnsCollection = lazySchema(() =>
  z.object({
    names: z.array(z.object({ hostname: z.string(), result: probeResultSchema(PlexDirectDnsValue) })),
  }),
);
export type PlexDirectDnsCollection = z.infer<typeof PlexDirectDnsCollection>;
