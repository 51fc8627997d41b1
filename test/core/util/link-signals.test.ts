import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../../src/http/api-client.js';
import { linkSignals } from '../../../src/core/util/link-signals.js';
import { startLoopbackServer, type LoopbackServer } from '../../../src/testing/http-server.js';

describe('linkSignals', () => {
  it("aborts when any source aborts, with that source's reason, and then lets go of the others", () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, undefined, b.signal);
    expect(linked.signal?.aborted).toBe(false);
    b.abort(new Error('second'));
    expect(linked.signal?.aborted).toBe(true);
    expect((linked.signal?.reason as Error).message).toBe('second');
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
  });

  it('release() removes its listeners from every source (a long-lived source keeps nothing)', () => {
    const long = new AbortController();
    for (let i = 0; i < 50; i++) {
      const linked = linkSignals(long.signal, new AbortController().signal);
      linked.release();
      linked.release();
    }
    expect(getEventListeners(long.signal, 'abort')).toHaveLength(0);
    long.abort();
  });

  it('is born aborted when a source already is; one source is passed through; none is undefined', () => {
    const done = AbortSignal.abort(new Error('early'));
    const linked = linkSignals(new AbortController().signal, done);
    expect(linked.signal?.aborted).toBe(true);
    expect((linked.signal?.reason as Error).message).toBe('early');
    const only = new AbortController().signal;
    expect(linkSignals(undefined, only).signal).toBe(only);
    expect(linkSignals().signal).toBeUndefined();
  });
});

/**
 * How many signals Node tracks as derived from this one (AbortSignal.any registers each combined signal there and, on
 * Node 20, never forgets it). Reads a Node internal; if it ever goes away this reads 0 and the listener checks remain.
 */
function dependants(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find((symbol) => symbol.description === 'kDependantSignals');
  return key ? ((signal as unknown as Record<symbol, Set<unknown> | undefined>)[key]?.size ?? 0) : 0;
}

describe('the internal this guards against', () => {
  it('AbortSignal.any leaves a trace on a long-lived source per call (why linkSignals exists)', () => {
    const long = new AbortController().signal;
    const keep = Array.from({ length: 5 }, () => AbortSignal.any([long, new AbortController().signal]));
    expect(keep).toHaveLength(5);
    expect(dependants(long)).toBe(5);
  });
});

describe('the API client leaves nothing on its long-lived signal', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopbackServer((request, response) => {
      if (request.url === '/fail') return void response.writeHead(500).end('no');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  afterAll(() => server.close());

  it('after successful and failed calls with their own signals', async () => {
    const lifetime = new AbortController();
    const client = createApiClient({ baseUrl: server.url, signal: lifetime.signal, timeoutMs: 2000 });
    for (let i = 0; i < 20; i++) {
      await client.send('GET', '/ok', { signal: new AbortController().signal });
      await client.send('GET', '/fail', { signal: new AbortController().signal }).catch(() => undefined);
    }
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);
    expect(dependants(lifetime.signal)).toBe(0);
  });

  it('still cancels a call when the client signal fires mid-request', async () => {
    const hang = await startLoopbackServer(() => undefined);
    try {
      const lifetime = new AbortController();
      const client = createApiClient({ baseUrl: hang.url, signal: lifetime.signal, timeoutMs: 5000 });
      const call = client.send('GET', '/', { signal: new AbortController().signal });
      setTimeout(() => lifetime.abort(), 50);
      await expect(call).rejects.toMatchObject({ code: 'PLEXDIAG_ABORTED' });
      expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);
    } finally {
      await hang.close();
    }
  });
});
