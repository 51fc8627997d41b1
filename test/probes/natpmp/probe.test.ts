import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  natPmpMapPort,
  natPmpUnmapPort,
  NatPmpMapping,
  NatPmpValue,
  probeNatPmp,
} from '../../../src/probes/natpmp/probe.js';
import {
  encodeExternalAddressRequest,
  encodeMappingRequest,
  parseNatPmpResponse,
} from '../../../src/probes/natpmp/packet.js';
import { startFakeNatPmp, type FakeNatPmp, type FakeNatPmpOptions } from '../../../src/testing/fake-natpmp.js';
import { procRoute, writeTree } from '../host/fixtures.js';

const open: FakeNatPmp[] = [];
async function fake(options: FakeNatPmpOptions = {}): Promise<FakeNatPmp> {
  const gateway = await startFakeNatPmp(options);
  open.push(gateway);
  return gateway;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((gateway) => gateway.close()));
});

describe('NAT-PMP packets', () => {
  it('encodes the two requests of RFC 6886', () => {
    expect([...encodeExternalAddressRequest()]).toEqual([0, 0]);
    expect([
      ...encodeMappingRequest({ protocol: 'tcp', internalPort: 32400, externalPort: 40001, lifetimeSeconds: 3600 }),
    ]).toEqual([0, 2, 0, 0, 0x7e, 0x90, 0x9c, 0x41, 0, 0, 0x0e, 0x10]);
  });

  it('parses the 12-byte address response and the 16-byte mapping response', () => {
    expect(parseNatPmpResponse(Buffer.from([0, 128, 0, 0, 0, 0, 2, 0x57, 84, 1, 1, 2]))).toEqual({
      kind: 'external-address',
      resultCode: 0,
      epochSeconds: 599,
      externalIp: '84.1.1.2',
    });
    expect(
      parseNatPmpResponse(Buffer.from([0, 130, 0, 0, 0, 0, 0, 1, 0x7e, 0x90, 0x9c, 0x41, 0, 0, 0x0e, 0x10])),
    ).toEqual({
      kind: 'mapping',
      protocol: 'tcp',
      resultCode: 0,
      epochSeconds: 1,
      internalPort: 32400,
      externalPort: 40001,
      lifetimeSeconds: 3600,
    });
  });

  it('parses error responses without a payload and calls wrong lengths and versions invalid', () => {
    expect(parseNatPmpResponse(Buffer.from([0, 128, 0, 3, 0, 0, 0, 9]))).toEqual({
      kind: 'external-address',
      resultCode: 3,
      epochSeconds: 9,
    });
    expect(parseNatPmpResponse(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9]))).toMatchObject({
      kind: 'external-address',
      resultCode: 1,
    });
    expect(parseNatPmpResponse(Buffer.from([0, 128, 0, 0, 0, 0, 0, 9]))).toMatchObject({
      kind: 'invalid',
      reason: '8-byte address response (expected 12)',
    });
    expect(parseNatPmpResponse(Buffer.from([0, 128]))).toMatchObject({ kind: 'invalid' });
    expect(parseNatPmpResponse(Buffer.alloc(0))).toMatchObject({ kind: 'invalid' });
    expect(parseNatPmpResponse(Buffer.from([2, 128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/PCP/),
    });
    expect(parseNatPmpResponse(Buffer.from([0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toMatchObject({
      kind: 'invalid',
      reason: 'opcode 5 is not a NAT-PMP response',
    });
  });

  it('never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const packet = parseNatPmpResponse(Buffer.from(bytes));
        expect(['external-address', 'mapping', 'invalid']).toContain(packet.kind);
        if (packet.kind === 'external-address' && packet.externalIp)
          expect(packet.externalIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      }),
      { numRuns: 1000 },
    );
    // Biased towards version 0 and response opcodes, where the interesting branches are.
    fc.assert(
      fc.property(fc.constantFrom(0, 128, 129, 130, 1), fc.uint8Array({ maxLength: 20 }), (op, rest) => {
        parseNatPmpResponse(Buffer.from([0, op, ...rest]));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('probeNatPmp against the fake gateway', () => {
  it('reads the external address in one try', async () => {
    const gateway = await fake({ externalIp: '84.1.1.2' });
    const result = await probeNatPmp({ gateway: '127.0.0.1', port: gateway.port, timeoutMs: 1000 });
    expect(result).toMatchObject({
      status: 'ok',
      value: {
        gateway: '127.0.0.1',
        port: gateway.port,
        externalIp: '84.1.1.2',
        externalIpClass: 'public',
        epochSeconds: 599,
        attempts: 1,
      },
    });
    if (result.status === 'ok') expect(NatPmpValue.parse(result.value)).toEqual(result.value);
    expect(gateway.received.map((b) => [...b])).toEqual([[0, 0]]);
  });

  it('flags a CGNAT external address', async () => {
    const gateway = await fake({ externalIp: '100.64.0.2' });
    const result = await probeNatPmp({ gateway: '127.0.0.1', port: gateway.port, timeoutMs: 1000 });
    expect(result).toMatchObject({ status: 'ok', value: { externalIp: '100.64.0.2', externalIpClass: 'cgnat' } });
  });

  it('finds the gateway from the default route when none is given', async () => {
    const gateway = await fake();
    const tree = await writeTree({
      'proc/net/route': procRoute([['eth0', '00000000', '0100007F', '0003', 0, '00000000']]),
    });
    try {
      const result = await probeNatPmp({ fsRoot: tree.root, platform: 'linux', port: gateway.port, timeoutMs: 1000 });
      expect(result).toMatchObject({ status: 'ok', value: { gateway: '127.0.0.1' } });
      const none = await probeNatPmp({ platform: 'darwin', port: gateway.port, timeoutMs: 1000 });
      expect(none).toMatchObject({ status: 'failed', error: { phase: 'request', code: 'ENOGATEWAY' } });
    } finally {
      await tree.remove();
    }
  });

  it('silent gateway: retries on the doubling schedule, then fails in the timeout phase at the deadline', async () => {
    const gateway = await fake({ mode: 'silent' });
    const result = await probeNatPmp({ gateway: '127.0.0.1', port: gateway.port, timeoutMs: 400, initialRetryMs: 50 });
    expect(result).toMatchObject({ status: 'failed', error: { phase: 'timeout', code: 'ETIMEDOUT' } });
    if (result.status !== 'failed') return;
    expect(result.error.message).toMatch(/no NAT-PMP answer after \d+ tries/);
    // 50, 100, 200 ms apart: sends at 0, 50, 150, 350 ms fit in 400 ms; a noisy VM may lose the last one.
    expect(gateway.requests).toBeGreaterThanOrEqual(3);
    expect(gateway.requests).toBeLessThanOrEqual(4);
    expect(gateway.received.every((b) => b.equals(Buffer.from([0, 0])))).toBe(true);
    expect(result.durationMs).toBeLessThan(400 * 5);
  });

  it('never sends more than 9 tries', async () => {
    const gateway = await fake({ mode: 'silent' });
    await probeNatPmp({ gateway: '127.0.0.1', port: gateway.port, timeoutMs: 600, initialRetryMs: 1 });
    expect(gateway.requests).toBe(9);
  });

  it('garbage and wrong-length answers are ignored, then reported as EBADRESPONSE', async () => {
    for (const mode of ['garbage', 'short'] as const) {
      const gateway = await fake({ mode });
      const result = await probeNatPmp({ gateway: '127.0.0.1', port: gateway.port, timeoutMs: 300 });
      expect(result).toMatchObject({ status: 'failed', error: { phase: 'response', code: 'EBADRESPONSE' } });
      if (result.status === 'failed') expect(result.error.message).toMatch(/ignored \d+ packet/);
    }
  });

  it('a valid answer that follows junk from the same gateway still wins', async () => {
    // A hand-made responder: three bad datagrams, then the real answer.
    const socket = createSocket('udp4');
    socket.on('message', (_message, from) => {
      for (const packet of [
        Buffer.from('junk'),
        Buffer.from([0, 128, 0, 0, 0, 0, 0, 1]),
        Buffer.from([2, 128, 0, 0]),
        Buffer.from([0, 128, 0, 0, 0, 0, 0, 7, 203, 0, 113, 9]),
      ]) {
        socket.send(packet, from.port, from.address);
      }
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const result = await probeNatPmp({ gateway: '127.0.0.1', port: socket.address().port, timeoutMs: 1000 });
      expect(result).toMatchObject({
        status: 'ok',
        value: { externalIp: '203.0.113.9', externalIpClass: 'reserved', epochSeconds: 7 },
      });
    } finally {
      socket.close();
    }
  });

  it.each([
    [3, 'ENATPMP_NETWORK_FAILURE', /no usable external address/],
    [2, 'ENATPMP_NOT_AUTHORIZED', /refused/],
    [1, 'ENATPMP_UNSUPPORTED_VERSION', /version/],
    [4, 'ENATPMP_OUT_OF_RESOURCES', /out of resources/],
    [5, 'ENATPMP_UNSUPPORTED_OPCODE', /opcode/],
  ])('result code %i is a typed failure (%s)', async (resultCode, code, message) => {
    const gateway = await fake({ resultCode });
    const result = await probeNatPmp({ gateway: '127.0.0.1', port: gateway.port, timeoutMs: 1000 });
    expect(result).toMatchObject({ status: 'failed', error: { phase: 'response', code } });
    if (result.status === 'failed') expect(result.error.message).toMatch(message);
    expect(gateway.requests).toBe(1);
  });

  it('a closed port is ECONNREFUSED in the connect phase, without waiting for the deadline', async () => {
    const gateway = await fake();
    const port = gateway.port;
    await gateway.close();
    open.splice(open.indexOf(gateway), 1);
    const result = await probeNatPmp({ gateway: '127.0.0.1', port, timeoutMs: 5000 });
    expect(result).toMatchObject({ status: 'failed', error: { phase: 'connect', code: 'ECONNREFUSED' } });
    expect(result.durationMs).toBeLessThan(2500);
  });

  it('rejects an IPv6 gateway and aborts on the signal', async () => {
    expect(await probeNatPmp({ gateway: '::1', timeoutMs: 500 })).toMatchObject({
      status: 'failed',
      error: { code: 'EINVAL' },
    });
    const gateway = await fake({ mode: 'silent' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await probeNatPmp({
      gateway: '127.0.0.1',
      port: gateway.port,
      timeoutMs: 5000,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'EABORTED' } });
  });
});

describe('natPmpMapPort / natPmpUnmapPort', () => {
  it('maps and unmaps a TCP port (the experiment round trip)', async () => {
    const gateway = await fake();
    const mapped = await natPmpMapPort({
      gateway: '127.0.0.1',
      port: gateway.port,
      protocol: 'tcp',
      internalPort: 32400,
      externalPort: 40001,
      lifetimeSeconds: 3600,
      timeoutMs: 1000,
    });
    expect(mapped).toMatchObject({
      status: 'ok',
      value: { protocol: 'tcp', internalPort: 32400, externalPort: 40001, lifetimeSeconds: 3600 },
    });
    if (mapped.status === 'ok') expect(NatPmpMapping.parse(mapped.value)).toEqual(mapped.value);
    expect(gateway.mappings()).toEqual([
      { protocol: 'tcp', internalPort: 32400, externalPort: 40001, lifetimeSeconds: 3600, client: '127.0.0.1' },
    ]);
    const unmapped = await natPmpUnmapPort({
      gateway: '127.0.0.1',
      port: gateway.port,
      protocol: 'tcp',
      internalPort: 32400,
      timeoutMs: 1000,
    });
    expect(unmapped).toMatchObject({ status: 'ok', value: { externalPort: 0, lifetimeSeconds: 0 } });
    expect(gateway.mappings()).toEqual([]);
  });

  it('reports the port the gateway picked when it differs from the suggestion', async () => {
    const gateway = await fake({ assignExternalPort: 51234 });
    const mapped = await natPmpMapPort({
      gateway: '127.0.0.1',
      port: gateway.port,
      protocol: 'udp',
      internalPort: 32410,
      timeoutMs: 1000,
    });
    expect(mapped).toMatchObject({ status: 'ok', value: { protocol: 'udp', externalPort: 51234 } });
  });

  it('a refused mapping is a typed failure; bad arguments never reach the network', async () => {
    const gateway = await fake({ resultCode: 2 });
    const refused = await natPmpMapPort({
      gateway: '127.0.0.1',
      port: gateway.port,
      protocol: 'tcp',
      internalPort: 32400,
      timeoutMs: 1000,
    });
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'ENATPMP_NOT_AUTHORIZED' } });
    const before = gateway.requests;
    const invalid = await natPmpMapPort({
      gateway: '127.0.0.1',
      port: gateway.port,
      protocol: 'tcp',
      internalPort: 0,
      timeoutMs: 1000,
    });
    expect(invalid).toMatchObject({ status: 'failed', error: { code: 'EINVAL' } });
    expect(gateway.requests).toBe(before);
  });
});
