/**
 * The value of `probe.outside`: what a reflector saw when it connected back to us, and from where it looked. Rules
 * must read `outside` (true only for a reflector at a public address that saw our public address) before taking a
 * port state as the internet's view: a loopback, LAN or hairpin reflector is recorded honestly, not as outside.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';
import { AddressClassSchema } from '../../probes/address-class.js';
import { PortCheckResult } from '../../outside/protocol.js';
import { OutsideVantage } from '../../outside/vantage.js';

export const OutsidePortRole = lazySchema(() => z.enum(['plex', 'forward']));

export const OutsideCheckValue = lazySchema(() =>
  z.object({
    protocolVersion: z.number().int(),
    vantage: OutsideVantage,
    /** True only when `vantage` is `reflector`. */
    outside: z.boolean(),
    /** Why the vantage is what it is, in words. */
    vantageReason: z.string(),
    reflector: z.object({
      /** The reflector URL (credentials and query stripped). */
      url: z.string(),
      /** The address our connection to it reached. */
      address: z.string().optional(),
      addressClass: AddressClassSchema.optional(),
    }),
    /** The address the reflector saw us come from: the one it checked. */
    sourceSeen: z.object({ address: z.string(), class: AddressClassSchema }),
    /** plex.tv's view of our public address, and whether the reflector saw the same one (multi-WAN, VPN: not). */
    publicIp: z.object({ address: z.string(), agrees: z.boolean() }).optional(),
    /** This server's machineIdentifier, which an identity seen from outside should match. */
    expectedMachineIdentifier: z.string().optional(),
    ports: z.array(
      PortCheckResult.extend({
        /** `plex`: the public port Plex uses; `forward`: a forward the user asked to check. */
        role: realSchema(OutsidePortRole),
        /** Where the public port came from (manual setting, what the server reported, the default). */
        portSource: z.string().optional(),
        /** Set when an identity answered and this server's machineIdentifier is known. */
        identityMatches: z.boolean().optional(),
      }),
    ),
  }),
);
export type OutsideCheckValue = z.infer<typeof OutsideCheckValue>;
