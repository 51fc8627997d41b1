/**
 * The real thing in front of the fake: dnsmasq (when installed) forwarding to the loopback plex.direct server, with
 * and without `--stop-dns-rebind`, and with the fix the rules recommend (`--rebind-domain-ok=/plex.direct/`).
 * This proves the probe reads a real rebinding filter's answer, not only our imitation of it. Skipped without dnsmasq.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlexDirectDnsValue, probePlexDirectDns } from '../../src/probes/dns.js';
import { startFakeDnsServer, type FakeDnsServer } from '../../src/testing/fake-dns.js';

const HASH = '0123456789abcdef0123456789abcdef';
// Found on disk rather than by running it: a spawn that fails under load must fail the test, not skip it.
const dnsmasqPath = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']
  .filter(Boolean)
  .map((dir) => join(dir, 'dnsmasq'))
  .find((path) => existsSync(path));
const hasDnsmasq = dnsmasqPath !== undefined;

interface Dnsmasq {
  address: string;
  stop(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function startDnsmasq(upstreamPort: number, extra: string[]): Promise<Dnsmasq> {
  const port = await freeUdpPort();
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--pid-file',
    '--cache-size=0',
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    `--port=${port}`,
    `--server=127.0.0.1#${upstreamPort}`,
    // As root dnsmasq would switch to "nobody"; stay who we are.
    ...(process.getuid?.() === 0 ? [`--user=${userInfo().username}`] : []),
    ...extra,
  ];
  const child: ChildProcess = spawn(dnsmasqPath!, args, { stdio: 'ignore' });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  // Ready when it answers the control name.
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  for (let attempt = 0; attempt < 25; attempt++) {
    try {
      await resolver.resolve4(`1-1-1-1.${HASH}.plex.direct`);
      return { address: `127.0.0.1:${port}`, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  throw new Error('dnsmasq did not start answering');
}

describe.skipIf(!hasDnsmasq)('probePlexDirectDns through a real dnsmasq', () => {
  let upstream: FakeDnsServer;
  let rebindProtected: Dnsmasq;
  let whitelisted: Dnsmasq;
  const probe = async (label: string, resolver: string): Promise<PlexDirectDnsValue> => {
    const result = await probePlexDirectDns(`${label}.${HASH}.plex.direct`, {
      resolvers: [resolver],
      useSystemResolver: false,
      timeoutMs: 2000,
    });
    if (result.status !== 'ok') throw new Error(JSON.stringify(result.error));
    return result.value;
  };
  beforeAll(async () => {
    upstream = await startFakeDnsServer({ mode: 'plex-direct' });
    rebindProtected = await startDnsmasq(upstream.port, ['--stop-dns-rebind']);
    whitelisted = await startDnsmasq(upstream.port, ['--stop-dns-rebind', '--rebind-domain-ok=/plex.direct/']);
  });
  afterAll(async () => {
    await rebindProtected?.stop();
    await whitelisted?.stop();
    await upstream?.close();
  });

  it('sees --stop-dns-rebind drop private, loopback and ULA plex.direct answers while the control resolves', async () => {
    for (const label of ['192-168-1-10', '127-0-0-1', 'fd00--5']) {
      const value = await probe(label, rebindProtected.address);
      expect(value.verdict).toBe('rebinding-blocked');
      expect(value.answers[0]).toMatchObject({
        outcome: 'rebinding-blocked',
        addresses: [],
        control: { resolved: true },
      });
    }
  });

  it('sees public names pass the filter, and the whitelist fix (rebind-domain-ok) let private names through', async () => {
    expect((await probe('8-8-4-4', rebindProtected.address)).verdict).toBe('ok');
    const fixed = await probe('192-168-1-10', whitelisted.address);
    expect(fixed.verdict).toBe('ok');
    expect(fixed.answers[0]?.addresses).toEqual(['192.168.1.10']);
  });
});
