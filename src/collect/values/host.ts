/**
 * The values of `host.listen` and `host.firewall`: what this host (the server's own) shows about Plex's port. The
 * readers live in src/probes/host/ (listen.ts, firewall/); these schemas are the source of truth for the snapshot, and
 * the type checks at the bottom keep the readers' shapes equal to them.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';
import type { ListeningSocket } from '../../probes/host/listen.js';
import type { HostFirewallReading } from '../../probes/host/firewall/index.js';

export const ListeningSocketValue = lazySchema(() =>
  z.object({
    address: z.string(),
    family: z.union([z.literal(4), z.literal(6)]),
    port: z.number().int(),
    /** all: 0.0.0.0 or ::; loopback: 127.0.0.0/8 or ::1; address: one specific address. */
    scope: z.enum(['all', 'loopback', 'address']),
    inode: z.number().int().optional(),
    /** The program holding the socket (/proc/<pid>/comm), when it could be read. */
    owner: z.string().optional(),
  }),
);

export const HostListenValue = lazySchema(() =>
  z.object({
    /** The port looked for: Plex's own (its private port, else the URL's, else 32400). */
    port: z.number().int(),
    /** Where the port came from ("server.account privatePort", "the URL you gave", "Plex's default"). */
    portSource: z.string(),
    /** The TCP sockets in LISTEN state on that port, in this host's network namespace. */
    sockets: z.array(realSchema(ListeningSocketValue)),
    /** What could not be read (a missing /proc/net/tcp6 when IPv6 is off). */
    notes: z.array(z.string()),
  }),
);
export type HostListenValue = z.infer<typeof HostListenValue>;

export const FirewallVerdictValue = lazySchema(() => z.enum(['accepted', 'dropped', 'rejected', 'unknown']));
export const FirewallToolValue = lazySchema(() =>
  z.enum([
    'nft',
    'iptables-save',
    'ip6tables-save',
    'iptables-legacy-save',
    'ip6tables-legacy-save',
    'ufw',
    'firewall-cmd',
  ]),
);

export const FirewallFamilyValue = lazySchema(() =>
  z.object({
    /** What a new inbound TCP connection to the port, from an internet address, meets. */
    verdict: realSchema(FirewallVerdictValue),
    /** The rule or policy that decided it (nft: "inet filter input handle 5"; iptables: the saved rule). */
    decidedBy: z.string().optional(),
    tool: FirewallToolValue.optional(),
    /** nft: "family table chain" of the base chain; iptables: "INPUT". */
    baseChain: z.string().optional(),
  }),
);

export const HostFirewallValue = lazySchema(() =>
  z.object({
    port: z.number().int(),
    /** The interface inbound traffic arrives on (the default route's), when known. */
    inInterface: z.string().optional(),
    ipv4: realSchema(FirewallFamilyValue),
    ipv6: realSchema(FirewallFamilyValue),
    sources: z.array(
      z.object({
        tool: realSchema(FirewallToolValue),
        status: z.enum(['read', 'not-installed', 'denied', 'failed']),
        detail: z.string().optional(),
      }),
    ),
    /** An active front end managing the rules; its own command is the fix. */
    frontEnd: z.enum(['ufw', 'firewalld']).optional(),
  }),
);
export type HostFirewallValue = z.infer<typeof HostFirewallValue>;

// The readers' types and these schemas describe the same values: a drift in either is a compile error here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const listenShapesAgree: Same<z.infer<typeof ListeningSocketValue>, ListeningSocket> = true;
export const firewallShapesAgree: Same<HostFirewallValue, HostFirewallReading> = true;
