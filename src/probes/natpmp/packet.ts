/**
 * NAT-PMP wire format (RFC 6886 §3.2-3.5), pure functions. Requests: `[0, 0]` for the external address, 12 bytes for
 * a mapping. Responses: version 0, opcode 128 + request opcode, a 16-bit result code, 32-bit seconds since the
 * gateway's epoch, then the payload. Error responses may stop after the epoch (8 bytes), success never does.
 */

export const NATPMP_PORT = 5351;

/** RFC 6886 §3.5 result codes. */
export const NATPMP_RESULT_CODES = {
  0: 'SUCCESS',
  1: 'UNSUPPORTED_VERSION',
  2: 'NOT_AUTHORIZED',
  3: 'NETWORK_FAILURE',
  4: 'OUT_OF_RESOURCES',
  5: 'UNSUPPORTED_OPCODE',
} as const;

export type NatPmpProtocol = 'udp' | 'tcp';

export type NatPmpPacket =
  | { kind: 'external-address'; resultCode: number; epochSeconds: number; externalIp?: string }
  | {
      kind: 'mapping';
      protocol: NatPmpProtocol;
      resultCode: number;
      epochSeconds: number;
      internalPort?: number;
      externalPort?: number;
      lifetimeSeconds?: number;
    }
  | { kind: 'invalid'; reason: string };

export function encodeExternalAddressRequest(): Buffer {
  return Buffer.from([0, 0]);
}

export interface MappingRequest {
  protocol: NatPmpProtocol;
  internalPort: number;
  /** Suggested external port; 0 = let the gateway choose (and, with lifetime 0, delete). */
  externalPort: number;
  lifetimeSeconds: number;
}

export function encodeMappingRequest(request: MappingRequest): Buffer {
  const packet = Buffer.alloc(12);
  packet.writeUInt8(0, 0);
  packet.writeUInt8(request.protocol === 'udp' ? 1 : 2, 1);
  packet.writeUInt16BE(0, 2);
  packet.writeUInt16BE(request.internalPort, 4);
  packet.writeUInt16BE(request.externalPort, 6);
  packet.writeUInt32BE(request.lifetimeSeconds, 8);
  return packet;
}

/** Parses one datagram. Never throws: anything that is not a NAT-PMP response is `invalid` with a reason. */
export function parseNatPmpResponse(data: Buffer): NatPmpPacket {
  if (data.length < 4) return { kind: 'invalid', reason: `${data.length}-byte packet (a response has at least 8)` };
  const version = data.readUInt8(0);
  const op = data.readUInt8(1);
  if (version !== 0)
    return { kind: 'invalid', reason: version === 2 ? 'a PCP (version 2) packet, not NAT-PMP' : `version ${version}` };
  const resultCode = data.readUInt16BE(2);
  if (data.length < 8) return { kind: 'invalid', reason: `${data.length}-byte packet (a response has at least 8)` };
  const epochSeconds = data.readUInt32BE(4);
  // "Unsupported version" is answered with opcode 0 (RFC 6886 §3.5), so op 0 counts as an address-request answer.
  if (op === 128 || (op === 0 && resultCode !== 0)) {
    if (resultCode !== 0) return { kind: 'external-address', resultCode, epochSeconds };
    if (data.length < 12) return { kind: 'invalid', reason: `${data.length}-byte address response (expected 12)` };
    return { kind: 'external-address', resultCode, epochSeconds, externalIp: [...data.subarray(8, 12)].join('.') };
  }
  if (op === 129 || op === 130) {
    const protocol: NatPmpProtocol = op === 129 ? 'udp' : 'tcp';
    if (resultCode !== 0) return { kind: 'mapping', protocol, resultCode, epochSeconds };
    if (data.length < 16) return { kind: 'invalid', reason: `${data.length}-byte mapping response (expected 16)` };
    return {
      kind: 'mapping',
      protocol,
      resultCode,
      epochSeconds,
      internalPort: data.readUInt16BE(8),
      externalPort: data.readUInt16BE(10),
      lifetimeSeconds: data.readUInt32BE(12),
    };
  }
  return { kind: 'invalid', reason: `opcode ${op} is not a NAT-PMP response` };
}

/** A sentence for a non-zero result code. */
export function describeResultCode(code: number): string {
  switch (code) {
    case 1:
      return 'the gateway does not support NAT-PMP version 0 (it may speak only PCP)';
    case 2:
      return 'the gateway refused (not authorized): NAT-PMP is disabled or this host is not allowed to map ports';
    case 3:
      return 'the gateway has no usable external address (network failure): miniupnpd answers this when its own WAN address is private or reserved, i.e. behind another NAT or CGNAT';
    case 4:
      return 'the gateway is out of resources (mapping table full)';
    case 5:
      return 'the gateway does not support this opcode';
    default:
      return `result code ${code}`;
  }
}
