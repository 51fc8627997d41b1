/**
 * GDM ("G'Day Mate"), Plex's LAN discovery (docs/reference/plex-api.md §7): `M-SEARCH * HTTP/1.0` to 239.0.0.250:32414
 * and the broadcast address; each server answers `HTTP/1.0 200 OK` and `Key: value` lines (Content-Type
 * plex/media-server, Resource-Identifier = machineIdentifier, Name, Port, Updated-At, Version, Host). We listen for the
 * whole window (there is no way to know how many servers exist), unless the caller awaits one server (`stopWhen`) and
 * it answered; an empty list is a valid observation, not a failure.
 */
import { z } from 'zod';
import { plexDateOpt } from '../http/plex-values.js';
import { ProbeFailure, type ProbeOptions, type ProbeResult } from './types.js';
import { openUdpSession } from './udp.js';
import { delay, remainingMs, runWindowedProbe } from './window.js';

export const GdmServer = z.object({
  machineIdentifier: z.string(),
  name: z.string().optional(),
  port: z.number().int().optional(),
  version: z.string().optional(),
  /** ISO time from the Updated-At epoch. */
  updatedAt: z.string().optional(),
  /** `<hash>.plex.direct` in the python-plexapi capture. */
  host: z.string().optional(),
  /** Source address of the first reply. */
  address: z.string(),
  /** Every source address this server answered from (a multi-homed or host-networked server answers on several). */
  addresses: z.array(z.string()),
  contentType: z.string(),
});
export type GdmServer = z.infer<typeof GdmServer>;

export const GdmDiscovery = z.object({
  /** One entry per machineIdentifier. */
  servers: z.array(GdmServer),
  /** Where the search was sent ("239.0.0.250:32414"). */
  targets: z.array(z.string()),
  /** Targets the search could not be sent to, with the error code (ENETUNREACH, EACCES, ...). */
  sendErrors: z.array(z.object({ target: z.string(), code: z.string() })),
  /** Datagrams that were not Plex server replies (clients, garbage). */
  ignoredReplies: z.number().int(),
});
export type GdmDiscovery = z.infer<typeof GdmDiscovery>;

export interface GdmTarget {
  address: string;
  port: number;
}

/**
 * The one server a caller waits for (the diagnosed one): once it answered, more listening only finds other servers,
 * which nobody asked about. It is matched by the ADDRESS it answers from, never by the identifier alone: anyone on the
 * LAN can answer with the target's Resource-Identifier, and stopping on such a copy could end the window before the
 * genuine server's answer (from its own address) arrives, hiding it.
 */
export interface GdmStopWhen {
  /** Addresses the awaited server answers from (its URL's host; this host's own addresses for a loopback URL). */
  addresses: readonly string[];
  /** Its Plex port, compared with the reply's Port header (32400 when the reply has none). */
  port: number;
  /**
   * Its machineIdentifier when known, read at each reply (it may become known while listening): a reply from its
   * address naming another identifier is another server (e.g. a second instance), and does not stop the window.
   * @default unknown (address and port decide)
   */
  machineIdentifier?: () => string | undefined;
}

export interface DiscoverGdmOptions extends ProbeOptions {
  /** How long to listen. @default 2000 */
  timeoutMs?: number;
  /** Where the search goes. @default [{ address: '239.0.0.250', port: 32414 }, { address: '255.255.255.255', port: 32414 }] */
  targets?: GdmTarget[];
  /** Stop listening once this server answered; the servers that answered before it are reported. @default listen the whole window */
  stopWhen?: GdmStopWhen;
}

export const DEFAULT_GDM_TIMEOUT_MS = 2000;
export const DEFAULT_GDM_TARGETS: readonly GdmTarget[] = [
  { address: '239.0.0.250', port: 32414 },
  { address: '255.255.255.255', port: 32414 },
];
const SEARCH = Buffer.from('M-SEARCH * HTTP/1.0\r\n\r\n', 'ascii');
const MAX_SERVERS = 256;

export type GdmReply = Omit<GdmServer, 'address' | 'addresses'>;

const ReplyFields = z.object({
  'resource-identifier': z.string().trim().min(1).max(128),
  'content-type': z.string().trim(),
  name: z.string().trim().optional().catch(undefined),
  port: z
    .preprocess(
      (v) => (typeof v === 'string' && /^\d{1,5}$/.test(v.trim()) ? Number(v) : undefined),
      z.number().int().min(1).max(65535).optional(),
    )
    .catch(undefined),
  version: z.string().trim().optional().catch(undefined),
  'updated-at': plexDateOpt,
  host: z.string().trim().optional().catch(undefined),
});

/**
 * Parses one reply datagram. Returns undefined for anything that is not a Plex *server* answer (clients announce
 * `plex/media-player`), and never throws.
 */
export function parseGdmReply(data: Buffer | string): GdmReply | undefined {
  const text = typeof data === 'string' ? data.slice(0, 8192) : data.subarray(0, 8192).toString('utf8');
  const lines = text.split(/\r?\n/);
  // python-plexapi accepts a reply when its first line contains "200 OK" (gdm.py).
  if (!/^HTTP\/1\.[01] 200 OK\s*$/i.test(lines[0]?.trim() ?? '')) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (/^[a-z0-9-]+$/.test(name)) headers[name] = line.slice(colon + 1).trim();
  }
  const parsed = ReplyFields.safeParse(headers);
  if (!parsed.success || parsed.data['content-type'].toLowerCase() !== 'plex/media-server') return undefined;
  const fields = parsed.data;
  return {
    machineIdentifier: fields['resource-identifier'],
    ...(fields.name ? { name: fields.name } : {}),
    ...(fields.port !== undefined ? { port: fields.port } : {}),
    ...(fields.version ? { version: fields.version } : {}),
    ...(fields['updated-at'] ? { updatedAt: fields['updated-at'] } : {}),
    ...(fields.host ? { host: fields.host } : {}),
    contentType: fields['content-type'],
  };
}

/** Whether a reply (from `from`) is the awaited server's own answer. */
export function isAwaitedReply(stopWhen: GdmStopWhen, reply: GdmReply, from: string): boolean {
  if (!stopWhen.addresses.includes(from) || (reply.port ?? 32400) !== stopWhen.port) return false;
  const expected = stopWhen.machineIdentifier?.();
  return expected === undefined || expected === reply.machineIdentifier;
}

export function discoverGdm(options: DiscoverGdmOptions = {}): Promise<ProbeResult<GdmDiscovery>> {
  return runWindowedProbe(options, DEFAULT_GDM_TIMEOUT_MS, async (signal, deadlineAt) => {
    const targets = options.targets ?? DEFAULT_GDM_TARGETS;
    const servers = new Map<string, GdmServer>();
    let ignoredReplies = 0;
    // Ends the waits below early: the awaited server answered, or the probe's own signal fired.
    const heard = new AbortController();
    const follow = (): void => heard.abort();
    signal.addEventListener('abort', follow, { once: true });
    const session = await openUdpSession({
      signal,
      broadcast: true,
      onMessage: (message, from) => {
        const reply = parseGdmReply(message);
        if (!reply) return void (ignoredReplies += 1);
        const known = servers.get(reply.machineIdentifier);
        if (known && !known.addresses.includes(from.address)) known.addresses.push(from.address);
        else if (!known && servers.size < MAX_SERVERS)
          servers.set(reply.machineIdentifier, { ...reply, address: from.address, addresses: [from.address] });
        // After the bookkeeping, so the awaited server's answer is in the result (unless the table was already full).
        if (options.stopWhen && isAwaitedReply(options.stopWhen, reply, from.address)) heard.abort();
      },
    }).catch((error: unknown) => {
      signal.removeEventListener('abort', follow);
      throw new ProbeFailure({
        phase: 'request',
        code: 'EUDP',
        message: `could not open a UDP socket for GDM: ${error instanceof Error ? error.message : String(error)}`,
      });
    });
    try {
      const sendErrors: { target: string; code: string }[] = [];
      const sendAll = async (record: boolean): Promise<void> => {
        for (const target of targets) {
          const code = await session.send(SEARCH, target.port, target.address);
          if (code && record) sendErrors.push({ target: `${target.address}:${target.port}`, code });
        }
      };
      await sendAll(true);
      if (targets.length > 0 && sendErrors.length === targets.length) {
        const codes = [...new Set(sendErrors.map((e) => e.code))].join(', ');
        throw new ProbeFailure({
          phase: 'request',
          code: sendErrors[0]!.code,
          message: `could not send the GDM search to any target (${codes})`,
        });
      }
      // One repeat a third of the way in: UDP is lossy, and duplicates are merged by machineIdentifier anyway.
      await delay(remainingMs(deadlineAt) / 3, heard.signal);
      if (!heard.signal.aborted) await sendAll(false);
      await delay(deadlineAt - performance.now(), heard.signal);
      return {
        servers: [...servers.values()],
        targets: targets.map((target) => `${target.address}:${target.port}`),
        sendErrors,
        ignoredReplies,
      };
    } finally {
      signal.removeEventListener('abort', follow);
      session.close();
    }
  });
}
