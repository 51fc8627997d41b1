import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isRebindingSuspect,
  PlexDirectDnsValue,
  probePlexDirectDns,
  type DnsResolverAnswer,
} from '../../src/probes/dns.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { startFakeDnsServer, type FakeDnsServer } from '../../src/testing/fake-dns.js';

const HASH = '0123456789abcdef0123456789abcdef';
const PRIVATE_NAME = `192-168-1-10.${HASH}.plex.direct`;

function okValue(result: ProbeResult<PlexDirectDnsValue>): PlexDirectDnsValue {
  expect(result.status).toBe('ok');
  if (result.status !== 'ok') throw new Error(JSON.stringify(result.error));
  // Every value must survive a snapshot round trip through its schema.
  return PlexDirectDnsValue.parse(JSON.parse(JSON.stringify(result.value)));
}

function only(value: PlexDirectDnsValue): DnsResolverAnswer {
  expect(value.answers).toHaveLength(1);
  return value.answers[0]!;
}

describe('probePlexDirectDns against a loopback DNS server', () => {
  let dns: FakeDnsServer;
  let second: FakeDnsServer;
  const viaFake = (timeoutMs = 1000): { resolvers: string[]; useSystemResolver: false; timeoutMs: number } => ({
    resolvers: [dns.address],
    useSystemResolver: false,
    timeoutMs,
  });
  beforeAll(async () => {
    dns = await startFakeDnsServer();
    second = await startFakeDnsServer();
  });
  afterAll(async () => {
    await dns.close();
    await second.close();
  });

  it('is ok when the resolver answers the encoded address, and compares with the control name of the same hash', async () => {
    dns.setMode('plex-direct');
    const value = okValue(await probePlexDirectDns(PRIVATE_NAME, viaFake()));
    expect(value).toMatchObject({
      hostname: PRIVATE_NAME,
      expected: '192.168.1.10',
      encodedClass: 'private',
      verdict: 'ok',
    });
    expect(value.controlHostname).toBe(`1-1-1-1.${HASH}.plex.direct`);
    expect(only(value)).toMatchObject({
      resolver: dns.address,
      addresses: ['192.168.1.10'],
      outcome: 'ok',
      control: { resolved: true, addresses: ['1.1.1.1'] },
    });
    expect(isRebindingSuspect(value)).toBe(false);
  });

  it('accepts a URL and resolves IPv6 names with AAAA, with an IPv6 control name', async () => {
    dns.setMode('plex-direct');
    const value = okValue(await probePlexDirectDns(`https://fd00--5.${HASH}.plex.direct:32400/`, viaFake()));
    expect(value).toMatchObject({ expected: 'fd00::5', encodedClass: 'private', verdict: 'ok' });
    expect(value.controlHostname).toBe(`2606-4700-4700--1111.${HASH}.plex.direct`);
    expect(dns.queries).toContainEqual({ name: `fd00--5.${HASH}.plex.direct`, type: 'AAAA' });
  });

  it('calls NXDOMAIN for a private name rebinding-blocked when the public control resolves', async () => {
    dns.setMode('rebind-nxdomain');
    const result = await probePlexDirectDns(PRIVATE_NAME, viaFake());
    const value = okValue(result);
    expect(value.verdict).toBe('rebinding-blocked');
    expect(only(value)).toMatchObject({
      addresses: [],
      outcome: 'rebinding-blocked',
      code: 'ENOTFOUND',
      control: { resolved: true },
    });
    expect(isRebindingSuspect(result)).toBe(true);
  });

  it('calls an empty answer (NOERROR, no records) rebinding-blocked too, for private, loopback, link-local and CGNAT names', async () => {
    dns.setMode('rebind-empty');
    for (const label of ['192-168-1-10', '127-0-0-1', '169-254-3-4']) {
      const value = okValue(await probePlexDirectDns(`${label}.${HASH}.plex.direct`, viaFake()));
      expect(only(value)).toMatchObject({ outcome: 'rebinding-blocked', code: 'ENODATA' });
    }
    // The fake (like dnsmasq) lets CGNAT answers through: the probe must then say ok, not guess.
    const cgnat = okValue(await probePlexDirectDns(`100-64-0-1.${HASH}.plex.direct`, viaFake()));
    expect(cgnat).toMatchObject({ encodedClass: 'cgnat', verdict: 'ok' });
  });

  it('calls a null-address answer (0.0.0.0) for a private name rebinding-blocked when the control resolves', async () => {
    dns.setMode('rebind-sinkhole');
    const value = okValue(await probePlexDirectDns(PRIVATE_NAME, viaFake()));
    expect(only(value)).toMatchObject({
      addresses: ['0.0.0.0'],
      outcome: 'rebinding-blocked',
      control: { resolved: true },
    });
  });

  it('never calls a public name that resolves rebinding-blocked, even under a rebinding filter', async () => {
    dns.setMode('rebind-nxdomain');
    const value = okValue(await probePlexDirectDns(`8-8-4-4.${HASH}.plex.direct`, viaFake()));
    expect(value).toMatchObject({ encodedClass: 'public', verdict: 'ok' });
  });

  it('does not call it rebinding when the control name is refused the same way (resolver-failed)', async () => {
    dns.setMode('rebind-nxdomain');
    // A control that also fails under this resolver: nothing proves the resolver works for plex.direct at all.
    const value = okValue(
      await probePlexDirectDns(PRIVATE_NAME, { ...viaFake(), controlHostname: `10-0-0-1.${HASH}.plex.direct` }),
    );
    expect(only(value)).toMatchObject({
      outcome: 'resolver-failed',
      code: 'ENOTFOUND',
      control: { resolved: false, code: 'ENOTFOUND' },
    });
    expect(value.verdict).toBe('resolver-failed');
    expect(isRebindingSuspect(value)).toBe(false);
  });

  it('reports a resolver that answers another address as wrong-answer, not rebinding', async () => {
    dns.setMode('wrong-answer');
    const value = okValue(await probePlexDirectDns(PRIVATE_NAME, viaFake()));
    expect(value.verdict).toBe('wrong-answer');
    expect(only(value)).toMatchObject({
      addresses: ['192.0.2.123'],
      outcome: 'wrong-answer',
      control: { resolved: false },
    });
    expect(isRebindingSuspect(value)).toBe(false);
  });

  it('reports SERVFAIL and REFUSED for every name as resolver-failed: the control fails too, so it is not rebinding', async () => {
    for (const [mode, code] of [
      ['servfail', 'ESERVFAIL'],
      ['refused', 'EREFUSED'],
    ] as const) {
      dns.setMode(mode);
      const value = okValue(await probePlexDirectDns(PRIVATE_NAME, viaFake()));
      expect(value.verdict).toBe('resolver-failed');
      expect(only(value)).toMatchObject({ outcome: 'resolver-failed', code, control: { resolved: false, code } });
      expect(isRebindingSuspect(value)).toBe(false);
    }
  });

  it('returns resolver-failed (ETIMEDOUT) inside its own deadline when the resolver never answers', async () => {
    dns.setMode('silent');
    const timeoutMs = 400;
    const result = await probePlexDirectDns(PRIVATE_NAME, viaFake(timeoutMs));
    const value = okValue(result);
    expect(only(value)).toMatchObject({ outcome: 'resolver-failed', code: 'ETIMEDOUT' });
    expect(result.durationMs).toBeLessThan(timeoutMs * 5);
  });

  it('turns a malformed DNS reply into resolver-failed (EBADRESP), never a rejection', async () => {
    dns.setMode('malformed');
    const value = okValue(await probePlexDirectDns(PRIVATE_NAME, viaFake()));
    expect(only(value)).toMatchObject({ outcome: 'resolver-failed', code: 'EBADRESP' });
  });

  it('asks every resolver; one rebinding resolver among good ones makes the verdict rebinding-blocked', async () => {
    dns.setMode('plex-direct');
    second.setMode('rebind-empty');
    const value = okValue(
      await probePlexDirectDns(PRIVATE_NAME, {
        resolvers: [dns.address, second.address],
        useSystemResolver: false,
        timeoutMs: 1000,
      }),
    );
    expect(value.answers.map((a) => [a.resolver, a.outcome])).toEqual([
      [dns.address, 'ok'],
      [second.address, 'rebinding-blocked'],
    ]);
    expect(value.verdict).toBe('rebinding-blocked');
  });

  it('uses a given control name, and reports an unreachable resolver port as resolver-failed', async () => {
    dns.setMode('rebind-nxdomain');
    const custom = okValue(
      await probePlexDirectDns(PRIVATE_NAME, { ...viaFake(), controlHostname: `8-8-8-8.${HASH}.plex.direct` }),
    );
    expect(custom.controlHostname).toBe(`8-8-8-8.${HASH}.plex.direct`);
    expect(only(custom)).toMatchObject({
      outcome: 'rebinding-blocked',
      control: { resolved: true, addresses: ['8.8.8.8'] },
    });
    const closedPort = okValue(
      await probePlexDirectDns(PRIVATE_NAME, { resolvers: ['127.0.0.1:1'], useSystemResolver: false, timeoutMs: 1000 }),
    );
    expect(only(closedPort).outcome).toBe('resolver-failed');
  });

  it('fails (phase dns, EINVAL) for a name that is not plex.direct or when no resolver is asked', async () => {
    const notPlexDirect = await probePlexDirectDns('plex.example.com', viaFake());
    expect(notPlexDirect).toMatchObject({ status: 'failed', error: { phase: 'dns', code: 'EINVAL' } });
    const none = await probePlexDirectDns(PRIVATE_NAME, { useSystemResolver: false });
    expect(none).toMatchObject({ status: 'failed', error: { code: 'EINVAL' } });
    expect(isRebindingSuspect(none)).toBe(false);
  });

  it('stops with EABORTED when the caller aborts while a resolver is silent', async () => {
    dns.setMode('silent');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await probePlexDirectDns(PRIVATE_NAME, { ...viaFake(5000), signal: controller.signal });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'EABORTED' } });
  });
});

describe('probePlexDirectDns with the system resolver', () => {
  // The system resolver cannot be pointed at a fake server in a unit test (the namespace lab does that with
  // dnsmasq); what is deterministic here is the control path: `localhost` always resolves.
  it('asks getaddrinfo and judges its answer consistently with a control that resolves', async () => {
    const value = okValue(await probePlexDirectDns(PRIVATE_NAME, { controlHostname: 'localhost', timeoutMs: 3000 }));
    const system = only(value);
    expect(system.resolver).toBe('system');
    expect(system.control.resolved).toBe(true);
    // Online, plex.direct resolves the name (ok); offline or behind a filter it does not (rebinding-blocked, since the
    // control resolved). Either way the outcome must follow from the addresses seen.
    expect(system.outcome).toBe(
      system.addresses.includes('192.168.1.10')
        ? 'ok'
        : system.addresses.length > 0
          ? 'wrong-answer'
          : 'rebinding-blocked',
    );
  });
});
