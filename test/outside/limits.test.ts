/**
 * The reflector's bounds hold: a flood from one source gets its burst and then 429s (and costs at most the burst's
 * connect-backs), other sources are unaffected, one source holds one check at a time, all sources together hold a
 * bounded number, and the replay cache fails closed when full. Bounded loops on loopback; they stop by themselves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startReflector, type RunningReflector } from '../../src/outside/reflector/server.js';
import { NonceCache, SourceRateLimiter } from '../../src/outside/reflector/limits.js';
import { rateKey } from '../../src/outside/reflector/handler.js';
import { SECRET, sendRaw, signed, startCountingListener, until } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function reflectorWith(limits: Parameters<typeof startReflector>[0]['limits']): Promise<RunningReflector> {
  const reflector = await startReflector({ secret: SECRET, limits, deadlines: { tcpMs: 1500, identityMs: 1500 } });
  cleanups.push(() => reflector.close());
  return reflector;
}

describe('rate limits', () => {
  it('a flood of 40 signed requests from one source: 3 answered, 37 refused with 429, 3 connect-backs', async () => {
    const reflector = await reflectorWith({ burst: 3, refillMs: 3_600_000 });
    const target = await startCountingListener('127.0.0.4');
    cleanups.push(() => target.close());
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const answer = await sendRaw(
        reflector.port,
        signed({ version: 1, ports: [{ port: target.port }] }, { localAddress: '127.0.0.4' }),
      );
      statuses.push(answer.status);
      if (answer.status === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(37);
    expect(target.count()).toBe(3);
    // Another source is not affected by the first one's flood.
    const other = await sendRaw(
      reflector.port,
      signed({ version: 1, ports: [{ port: 9 }] }, { localAddress: '127.0.0.5' }),
    );
    expect(other.status).toBe(200);
  });

  it('unsigned junk counts against the source too (no free CPU for a flood without the secret)', async () => {
    const reflector = await reflectorWith({ burst: 2, refillMs: 3_600_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await sendRaw(reflector.port, { localAddress: '127.0.0.6', body: 'junk' })).status);
    expect(statuses.slice(0, 2).every((s) => s >= 400 && s < 500 && s !== 429)).toBe(true);
    expect(statuses.slice(2).every((s) => s === 429)).toBe(true);
  });

  it('one check at a time per source, and a bounded number for all sources together', async () => {
    const reflector = await reflectorWith({ burst: 100, refillMs: 1000, maxConcurrentChecks: 1 });
    // A port at the source address that accepts and then says nothing: the identity check waits out its deadline.
    const silent = await startCountingListener('127.0.0.7', 0, true);
    cleanups.push(() => silent.close());
    const slow = sendRaw(
      reflector.port,
      signed({ version: 1, ports: [{ port: silent.port, identity: 'http' }] }, { localAddress: '127.0.0.7' }),
    );
    await until(() => silent.count() >= 2); // the TCP check, then the identity request: the check is in flight
    const sameSource = await sendRaw(
      reflector.port,
      signed({ version: 1, ports: [{ port: 9 }] }, { localAddress: '127.0.0.7' }),
    );
    expect(sameSource.status).toBe(429);
    const otherSource = await sendRaw(
      reflector.port,
      signed({ version: 1, ports: [{ port: 9 }] }, { localAddress: '127.0.0.8' }),
    );
    expect(otherSource.status).toBe(503);
    expect(otherSource.json).toMatchObject({ error: { code: 'busy' } });
    expect((await slow).status).toBe(200);
    // Once the slow check is over, the slot is free again.
    expect(
      (await sendRaw(reflector.port, signed({ version: 1, ports: [{ port: 9 }] }, { localAddress: '127.0.0.8' })))
        .status,
    ).toBe(200);
  });

  it('the replay cache refuses (503) rather than forget a live nonce when full', async () => {
    const reflector = await reflectorWith({ burst: 100, refillMs: 1000, nonceCacheSize: 2 });
    const send = () => sendRaw(reflector.port, signed({ version: 1, ports: [{ port: 9 }] }));
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const third = await send();
    expect(third.status).toBe(503);
    expect(third.json).toMatchObject({ error: { code: 'busy' } });
  });
});

describe('bounded state', () => {
  it('rate limits apply per IPv4 address and per IPv6 /64 (an attacker with a /64 gets one bucket, not 2^64)', () => {
    expect(rateKey({ address: '203.0.113.7', family: 4 })).toBe('203.0.113.7');
    expect(rateKey({ address: '2001:db8:1:2::1', family: 6 })).toBe(
      rateKey({ address: '2001:db8:1:2:ffff::9', family: 6 }),
    );
    expect(rateKey({ address: '2001:db8:1:2::1', family: 6 })).not.toBe(
      rateKey({ address: '2001:db8:1:3::1', family: 6 }),
    );
  });

  it('NonceCache: forgets a nonce only after its TTL, and never grows past its size', () => {
    const cache = new NonceCache(3, 1000);
    expect(cache.remember('a', 0)).toBe('fresh');
    expect(cache.remember('a', 999)).toBe('replayed');
    expect(cache.remember('b', 10)).toBe('fresh');
    expect(cache.remember('c', 10)).toBe('fresh');
    expect(cache.remember('d', 500)).toBe('full');
    expect(cache.remember('d', 1000)).toBe('fresh'); // 'a' expired and was pruned
    expect(cache.size).toBe(3);
    expect(cache.remember('a', 1001)).toBe('full');
  });

  it('SourceRateLimiter: refills one token per interval, caps sources, drops refilled buckets', () => {
    const limiter = new SourceRateLimiter({ burst: 2, refillMs: 100, maxSources: 2 });
    expect(limiter.take('x', 0).outcome).toBe('allowed');
    expect(limiter.take('x', 0).outcome).toBe('allowed');
    expect(limiter.take('x', 50)).toEqual({ outcome: 'limited', retryAfterMs: 50 });
    expect(limiter.take('x', 100).outcome).toBe('allowed');
    expect(limiter.take('y', 100).outcome).toBe('allowed');
    expect(limiter.take('z', 100).outcome).toBe('full');
    // After burst × interval every bucket is as good as new: pruned to make room.
    expect(limiter.take('z', 400).outcome).toBe('allowed');
    expect(limiter.size).toBeLessThanOrEqual(2);
  });
});
