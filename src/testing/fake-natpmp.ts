/**
 * A fake NAT-PMP gateway on loopback UDP (RFC 6886), with the misbehaviours the probe must survive: silence,
 * garbage, short packets and every result code (3 = "network failure", miniupnpd's answer when its WAN address is
 * reserved: docs/reference/netlab.md "upnp-cgnat").
 */
import type { RemoteInfo } from 'node:dgram';
import { startUdpResponder, type UdpResponder } from './udp-responder.js';

export type FakeNatPmpMode =
  /** Answers like miniupnpd. */
  | 'normal'
  /** Receives and counts, never answers (a filtered port, or NAT-PMP off without ICMP). */
  | 'silent'
  /** Answers with junk: text, a PCP-version packet, a response with the wrong opcode. */
  | 'garbage'
  /** Answers with 8-byte success packets that stop before the address/mapping. */
  | 'short';

export interface FakeNatPmpOptions {
  /** The address opcode 0 reports. @default '84.1.1.2' */
  externalIp?: string;
  /** Result code of every answer (0 success, 1-5 errors). @default 0 */
  resultCode?: number;
  /** @default 'normal' */
  mode?: FakeNatPmpMode;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (ephemeral) */
  port?: number;
  /** Seconds since the fake's epoch. @default 599 */
  epochSeconds?: number;
  /** External port the fake assigns instead of the suggested one (a gateway that picks its own). @default the suggestion */
  assignExternalPort?: number;
}

export interface FakeNatPmpMapping {
  protocol: 'udp' | 'tcp';
  internalPort: number;
  externalPort: number;
  lifetimeSeconds: number;
  client: string;
}

export interface FakeNatPmp {
  readonly host: string;
  readonly port: number;
  /** Datagrams received (each retry counts). */
  readonly requests: number;
  /** Copies of the datagrams received. */
  readonly received: Buffer[];
  /** Current mappings (lifetime 0 removes). */
  mappings(): FakeNatPmpMapping[];
  close(): Promise<void>;
}

export async function startFakeNatPmp(options: FakeNatPmpOptions = {}): Promise<FakeNatPmp> {
  const host = options.host ?? '127.0.0.1';
  const mode = options.mode ?? 'normal';
  const resultCode = options.resultCode ?? 0;
  const epoch = options.epochSeconds ?? 599;
  const externalIp = (options.externalIp ?? '84.1.1.2').split('.').map(Number);
  const received: Buffer[] = [];
  const mappings: FakeNatPmpMapping[] = [];
  let responder: UdpResponder | undefined;
  const reply = (packet: Buffer, to: RemoteInfo): void => responder?.send(packet, to);

  const header = (op: number, code: number, length: number): Buffer => {
    const packet = Buffer.alloc(length);
    packet.writeUInt8(0, 0);
    packet.writeUInt8(op, 1);
    packet.writeUInt16BE(code, 2);
    packet.writeUInt32BE(epoch, 4);
    return packet;
  };

  const handle = (message: Buffer, from: RemoteInfo): void => {
    received.push(Buffer.from(message));
    if (mode === 'silent' || message.length < 2) return;
    const version = message.readUInt8(0);
    const op = message.readUInt8(1);
    if (mode === 'garbage') {
      reply(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), from);
      reply(Buffer.from([2, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), from);
      reply(Buffer.from([0, 0x85, 0, 0, 0, 0, 2, 0x57, 84, 1, 1, 2]), from);
      return;
    }
    if (mode === 'short') return reply(header(128 + op, 0, 8), from);
    if (version !== 0) return reply(header(0, 1, 8), from);
    if (op === 0) {
      const packet = header(128, resultCode, 12);
      if (resultCode === 0) externalIp.forEach((byte, i) => packet.writeUInt8(byte, 8 + i));
      return reply(packet, from);
    }
    if ((op === 1 || op === 2) && message.length >= 12) {
      const protocol = op === 1 ? 'udp' : 'tcp';
      const internalPort = message.readUInt16BE(4);
      const suggested = message.readUInt16BE(6);
      const lifetimeSeconds = message.readUInt32BE(8);
      const packet = header(128 + op, resultCode, 16);
      packet.writeUInt16BE(internalPort, 8);
      if (resultCode === 0) {
        const index = mappings.findIndex(
          (m) => m.protocol === protocol && m.internalPort === internalPort && m.client === from.address,
        );
        if (index >= 0) mappings.splice(index, 1);
        const externalPort = lifetimeSeconds === 0 ? 0 : (options.assignExternalPort ?? (suggested || internalPort));
        if (lifetimeSeconds > 0)
          mappings.push({ protocol, internalPort, externalPort, lifetimeSeconds, client: from.address });
        packet.writeUInt16BE(externalPort, 10);
        packet.writeUInt32BE(lifetimeSeconds, 12);
      }
      return reply(packet, from);
    }
    reply(header(128 + op, 5, 8), from);
  };
  responder = await startUdpResponder(host, options.port ?? 0, handle);
  return {
    host,
    port: responder.port,
    get requests() {
      return received.length;
    },
    received,
    mappings: () => mappings.map((m) => ({ ...m })),
    close: () => responder.close(),
  };
}
