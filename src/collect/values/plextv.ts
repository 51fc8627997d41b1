/** The values of `plextv.resources` and `plextv.publicIp`: plex.tv's view of this server and of this machine. */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';
import { AddressClassSchema } from '../../probes/address-class.js';
import { PlexDevice, type PlexDeviceWithoutSecrets } from '../../clients/plextv/index.js';

export const ResourcesValue = lazySchema(() =>
  z.object({
    /** This server's device record (no access token), when it could be matched. */
    server: (realSchema(PlexDevice) as unknown as z.ZodType<PlexDeviceWithoutSecrets>).optional(),
    /** How `server` was picked: by the /identity machineIdentifier, or as the account's only server. */
    matchedBy: z.enum(['machine-identifier', 'only-server', 'none']),
    /** Every server the account can see, briefly (to explain a failed match). */
    servers: z.array(
      z.object({
        name: z.string().optional(),
        clientIdentifier: z.string(),
        owned: z.boolean().optional(),
        presence: z.boolean().optional(),
        publicAddress: z.string().optional(),
      }),
    ),
  }),
);
export type ResourcesValue = z.infer<typeof ResourcesValue>;

export const PublicIpValue = lazySchema(() => z.object({ address: z.string(), class: AddressClassSchema }));
export type PublicIpValue = z.infer<typeof PublicIpValue>;
