import { afterEach, describe, expect, it } from 'vitest';
import { defineCollector, type AnyCollector } from '../../src/collect/define-collector.js';
import { collect } from '../../src/diagnose/collect.js';
import { runCollectors } from '../../src/collect/scheduler.js';
import { startFakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv } from '../../src/testing/fake-plex-tv/index.js';
import { deviceValue } from '../../src/testing/observations.js';

/** An event log shared by the collectors of one test, in the order things happened. */
function recorder() {
  const events: string[] = [];
  const wait = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  const first = defineCollector({
    id: 'test.first',
    title: 'first',
    async collect(ctx) {
      events.push('first start');
      await wait(60, ctx.signal);
      events.push('first end');
      return { machineIdentifier: 'abc' };
    },
  });
  return { events, wait, first };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  expect(unhandled).toEqual([]);
});

describe('prefetch', () => {
  it("starts with the collection, before the collector's `after` have settled, and collect reads its result", async () => {
    const { events, wait, first } = recorder();
    const second = defineCollector({
      id: 'test.second',
      title: 'second',
      after: ['test.first'],
      async prefetch(ctx) {
        events.push('second prefetch start');
        await wait(60, ctx.signal);
        events.push('second prefetch end');
        return ['device-a', 'device-b'];
      },
      async collect(ctx) {
        events.push('second collect');
        return { devices: await ctx.prefetched(), first: ctx.get('test.first') };
      },
    });
    const observations = await runCollectors([first, second] as AnyCollector[], ['test.second'], { services: {} });
    expect(observations['test.second']).toMatchObject({
      status: 'ok',
      value: { devices: ['device-a', 'device-b'], first: { machineIdentifier: 'abc' } },
    });
    expect(events.indexOf('second prefetch start')).toBeLessThan(events.indexOf('first end'));
    expect(events.indexOf('second collect')).toBeGreaterThan(events.indexOf('first end'));
  });

  it('a prefetch that throws or skips ends the collector so, and nothing is left unhandled', async () => {
    const { first } = recorder();
    const failing = defineCollector({
      id: 'test.failing',
      title: 'failing',
      after: ['test.first'],
      prefetch: async () => Promise.reject(Object.assign(new Error('plex.tv said no'), { code: 'EPLEX' })),
      collect: async (ctx) => ctx.prefetched(),
    });
    const skipping = defineCollector({
      id: 'test.skipping',
      title: 'skipping',
      after: ['test.first'],
      prefetch: async (ctx) => ctx.skip('no token'),
      collect: async (ctx) => ctx.prefetched(),
    });
    // A collector that never reads its failed prefetch must not leave an unhandled rejection either.
    const ignoring = defineCollector({
      id: 'test.ignoring',
      title: 'ignoring',
      prefetch: async () => Promise.reject(new Error('ignored')),
      collect: async () => 1,
    });
    const observations = await runCollectors(
      [first, failing, skipping, ignoring] as AnyCollector[],
      ['test.failing', 'test.skipping', 'test.ignoring'],
      { services: {} },
    );
    expect(observations['test.failing']).toMatchObject({
      status: 'failed',
      error: { message: expect.stringContaining('plex.tv said no') },
    });
    expect(observations['test.skipping']).toMatchObject({ status: 'skipped', reason: 'no token' });
    expect(observations['test.ignoring']).toMatchObject({ status: 'ok', value: 1 });
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('under a concurrency limit it runs at its turn instead, as part of collect', async () => {
    const { events, wait, first } = recorder();
    const second = defineCollector({
      id: 'test.second',
      title: 'second',
      after: ['test.first'],
      async prefetch(ctx) {
        events.push('second prefetch start');
        await wait(10, ctx.signal);
        return 'late';
      },
      collect: async (ctx) => ctx.prefetched(),
    });
    const observations = await runCollectors([first, second] as AnyCollector[], ['test.second'], {
      services: {},
      concurrency: 1,
    });
    expect(observations['test.second']).toMatchObject({ status: 'ok', value: 'late' });
    expect(events.indexOf('second prefetch start')).toBeGreaterThan(events.indexOf('first end'));
  });

  it('its signal fires once it is no longer wanted: the collector skipped for a missing need, or the collection aborted', async () => {
    let prefetchSignal: AbortSignal | undefined;
    const broken = defineCollector({
      id: 'test.broken',
      title: 'broken',
      collect: async () => Promise.reject(new Error('down')),
    });
    const dependent = defineCollector({
      id: 'test.dependent',
      title: 'dependent',
      needs: ['test.broken'],
      prefetch: (ctx) => {
        prefetchSignal = ctx.signal;
        return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
      },
      collect: async (ctx) => ctx.prefetched(),
    });
    const observations = await runCollectors([broken, dependent] as AnyCollector[], ['test.dependent'], {
      services: {},
    });
    expect(observations['test.dependent']).toMatchObject({ status: 'skipped' });
    expect(prefetchSignal?.aborted).toBe(true);

    const controller = new AbortController();
    let second: AbortSignal | undefined;
    const waiting = defineCollector({
      id: 'test.waiting',
      title: 'waiting',
      collect: (ctx) =>
        new Promise((resolve) => {
          const timer = setTimeout(resolve, 5000);
          ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
        }),
    });
    const later = defineCollector({
      id: 'test.later',
      title: 'later',
      after: ['test.waiting'],
      prefetch: (ctx) => {
        second = ctx.signal;
        return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
      },
      collect: async (ctx) => ctx.prefetched(),
    });
    const run = runCollectors([waiting, later] as AnyCollector[], ['test.later'], {
      services: {},
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 30);
    await run;
    expect(second?.aborted).toBe(true);
  });

  it('without a prefetch, ctx.prefetched() is undefined', async () => {
    const plain = defineCollector({
      id: 'test.plain',
      title: 'plain',
      collect: async (ctx) => ({ prefetched: (await ctx.prefetched()) ?? 'none' }),
    });
    const observations = await runCollectors([plain] as AnyCollector[], ['test.plain'], { services: {} });
    expect(observations['test.plain']).toMatchObject({ status: 'ok', value: { prefetched: 'none' } });
  });
});

describe('the built-in plex.tv resources collector', () => {
  it('asks plex.tv for the device list before the server has answered /identity, and still picks the server by it', async () => {
    const token = 'prefetch-token-7f2a90c1';
    // The server answers slowly; plex.tv at once.
    const server = await startFakePlexServer({ token, latencyMs: 300 });
    const plexTv = await startFakePlexTv({
      tokens: [token],
      devices: [
        deviceValue({ clientIdentifier: server.machineIdentifier }),
        deviceValue({ clientIdentifier: 'another-server', name: 'other' }),
      ],
    });
    try {
      let resourcesAskedBeforeIdentity: boolean | undefined;
      const snapshot = await collect({
        url: server.url,
        token,
        plexTv: { baseUrl: plexTv.url },
        include: ['plextv.resources'],
        rules: [],
        onProgress: (event) => {
          if (event.type === 'finish' && event.id === 'server.identity')
            resourcesAskedBeforeIdentity = plexTv.requests.some((r) => r.path === '/api/v2/resources');
        },
      });
      expect(resourcesAskedBeforeIdentity).toBe(true);
      expect(snapshot.observations['plextv.resources']).toMatchObject({
        status: 'ok',
        value: { matchedBy: 'machine-identifier', server: { clientIdentifier: server.machineIdentifier } },
      });
    } finally {
      await Promise.all([server.close(), plexTv.close()]);
    }
  });
});
