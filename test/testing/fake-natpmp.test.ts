import { afterEach, describe, expect, it } from 'vitest';
import { parseNatPmpResponse } from '../../src/probes/natpmp/packet.js';
import { startFakeNatPmp, type FakeNatPmp } from '../../src/testing/fake-natpmp.js';
import { udpExchange } from './udp-helper.js';

const open: FakeNatPmp[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((gateway) => gateway.close()));
});

describe('startFakeNatPmp', () => {
  it('answers opcode 0 with the 12-byte response and counts every datagram', async () => {
    const gateway = await startFakeNatPmp({ externalIp: '84.1.1.2', epochSeconds: 42 });
    open.push(gateway);
    const [reply] = await udpExchange(gateway.port, Buffer.from([0, 0]));
    expect([...reply!]).toEqual([0, 128, 0, 0, 0, 0, 0, 42, 84, 1, 1, 2]);
    expect(gateway.requests).toBe(1);
  });

  it('answers another version with "unsupported version" and an unknown opcode with result 5 (RFC 6886 §3.5)', async () => {
    const gateway = await startFakeNatPmp();
    open.push(gateway);
    const [version] = await udpExchange(gateway.port, Buffer.from([1, 0]));
    expect(parseNatPmpResponse(version!)).toMatchObject({ kind: 'external-address', resultCode: 1 });
    const [opcode] = await udpExchange(gateway.port, Buffer.from([0, 9]));
    expect([...opcode!.subarray(0, 4)]).toEqual([0, 128 + 9, 0, 5]);
  });

  it('result code 3 carries no address', async () => {
    const gateway = await startFakeNatPmp({ resultCode: 3 });
    open.push(gateway);
    const [reply] = await udpExchange(gateway.port, Buffer.from([0, 0]));
    expect(parseNatPmpResponse(reply!)).toEqual({ kind: 'external-address', resultCode: 3, epochSeconds: 599 });
  });

  it('silent mode receives but never answers', async () => {
    const gateway = await startFakeNatPmp({ mode: 'silent' });
    open.push(gateway);
    expect(await udpExchange(gateway.port, Buffer.from([0, 0]))).toEqual([]);
    expect(gateway.requests).toBe(1);
  });
});
