/**
 * A fake GDM responder on loopback UDP: answers `M-SEARCH * HTTP/1.` with one datagram per configured server, in the
 * header form python-plexapi's gdm.py docstring shows (docs/reference/plex-api.md §7; the raw bytes of a real PMS are
 * [U], so this is the parsed form written back as `Key: value` lines after `HTTP/1.0 200 OK`).
 */
import { startUdpResponder } from './udp-responder.js';

export interface FakeGdmServer {
  machineIdentifier: string;
  name: string;
  /** @default 32400 */
  port?: number;
  /** @default '1.18.8.2527-740d4c206' */
  version?: string;
  /** Epoch seconds. @default 1585769946 */
  updatedAt?: number;
  /** @default '53f4b5b6023d41182fe88a99b0e714ba.plex.direct' */
  host?: string;
  /** `plex/media-player` imitates a client answering. @default 'plex/media-server' */
  contentType?: string;
}

export interface FakeGdmOptions {
  servers: FakeGdmServer[];
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (ephemeral) */
  port?: number;
  /** Datagrams sent before the server replies (garbage, truncated replies). @default [] */
  extraReplies?: (string | Buffer)[];
  /** How many times each reply is sent (duplicates). @default 1 */
  repeat?: number;
}

export interface FakeGdm {
  readonly host: string;
  readonly port: number;
  /** Searches received. */
  readonly searches: number;
  close(): Promise<void>;
}

/** The python-plexapi docstring's server, as defaults. */
export const GDM_DOCSTRING_SERVER: FakeGdmServer = {
  machineIdentifier: '646ab0aa8a01c543e94ba975f6fd6efadc36b7',
  name: 'myfirstplexserver',
  port: 32400,
  version: '1.18.8.2527-740d4c206',
  updatedAt: 1585769946,
  host: '53f4b5b6023d41182fe88a99b0e714ba.plex.direct',
};

export function renderGdmReply(server: FakeGdmServer): string {
  return [
    'HTTP/1.0 200 OK',
    `Content-Type: ${server.contentType ?? 'plex/media-server'}`,
    `Resource-Identifier: ${server.machineIdentifier}`,
    `Name: ${server.name}`,
    `Port: ${server.port ?? 32400}`,
    `Updated-At: ${server.updatedAt ?? 1585769946}`,
    `Version: ${server.version ?? '1.18.8.2527-740d4c206'}`,
    `Host: ${server.host ?? '53f4b5b6023d41182fe88a99b0e714ba.plex.direct'}`,
    '',
  ].join('\r\n');
}

export async function startFakeGdm(options: FakeGdmOptions): Promise<FakeGdm> {
  const host = options.host ?? '127.0.0.1';
  let searches = 0;
  const responder = await startUdpResponder(host, options.port ?? 0, (message, from, udp) => {
    if (!message.toString('latin1').startsWith('M-SEARCH * HTTP/1.')) return;
    searches += 1;
    const datagrams = [
      ...(options.extraReplies ?? []).map((extra) => (typeof extra === 'string' ? Buffer.from(extra) : extra)),
      ...options.servers.map((server) => Buffer.from(renderGdmReply(server))),
    ];
    for (let i = 0; i < (options.repeat ?? 1); i++) {
      for (const datagram of datagrams) udp.send(datagram, from);
    }
  });
  return {
    host,
    port: responder.port,
    get searches() {
      return searches;
    },
    close: () => responder.close(),
  };
}
