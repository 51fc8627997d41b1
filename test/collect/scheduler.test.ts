import { describe, expect, it } from 'vitest';
import { defineCollector, type AnyCollector } from '../../src/collect/define-collector.js';
import { planCollectors, runCollectors, type CollectProgress } from '../../src/collect/scheduler.js';
import { CollectionFailure } from '../../src/core/observation.js';
import { UsageError } from '../../src/core/errors.js';

/** A collector that resolves when released, so tests observe concurrency by events, not by timing. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('planCollectors', () => {
  const a = defineCollector({ id: 'a', title: 'A', collect: async () => 1 });
  const b = defineCollector({ id: 'b', title: 'B', needs: ['a'], collect: async () => 2 });
  const c = defineCollector({ id: 'c', title: 'C', needs: ['b'], collect: async () => 3 });

  it('orders by needs and includes only what is wanted and needed', () => {
    expect(
      planCollectors([c, b, a, defineCollector({ id: 'x', title: 'X', collect: async () => 0 })], ['c']).map(
        (x) => x.id,
      ),
    ).toEqual(['a', 'b', 'c']);
  });

  it('rejects unknown needs, duplicate ids and cycles', () => {
    expect(() => planCollectors([b], ['b'])).toThrow(/unknown collector "a" \(needed by "b"\)/);
    expect(() => planCollectors([a, a], ['a'])).toThrow(UsageError);
    const loop1 = defineCollector({ id: 'l1', title: 'L1', needs: ['l2'], collect: async () => 0 });
    const loop2 = defineCollector({ id: 'l2', title: 'L2', needs: ['l1'], collect: async () => 0 });
    expect(() => planCollectors([loop1, loop2], ['l1'])).toThrow(/cycle/);
  });
});

describe('runCollectors', () => {
  it('runs independent collectors concurrently and dependents once their needs settle', async () => {
    const started: string[] = [];
    const gates = { a: gate(), b: gate() };
    const registry: AnyCollector[] = [
      defineCollector({ id: 'a', title: 'A', collect: async () => (started.push('a'), await gates.a.promise, 'A') }),
      defineCollector({ id: 'b', title: 'B', collect: async () => (started.push('b'), await gates.b.promise, 'B') }),
      defineCollector({
        id: 'ab',
        title: 'AB',
        needs: ['a', 'b'],
        collect: async (ctx) => `${ctx.get('a') as string}+${ctx.get('b') as string}`,
      }),
    ];
    const run = runCollectors(registry, ['ab'], { services: {} });
    await new Promise((r) => setImmediate(r));
    // Both leaves started before either finished: they run at the same time.
    expect(started.sort()).toEqual(['a', 'b']);
    gates.b.open();
    gates.a.open();
    const observations = await run;
    expect(observations.ab).toMatchObject({ status: 'ok', value: 'A+B' });
  });

  it('respects a concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const registry = ['a', 'b', 'c', 'd'].map((id) =>
      defineCollector({
        id,
        title: id,
        collect: async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setImmediate(r));
          running--;
          return id;
        },
      }),
    );
    await runCollectors(registry, ['a', 'b', 'c', 'd'], { services: {}, concurrency: 2 });
    expect(peak).toBe(2);
  });

  it('records a throw as failed, a skip as skipped, and skips dependents with the reason', async () => {
    const registry: AnyCollector[] = [
      defineCollector({
        id: 'boom',
        title: 'Boom',
        collect: async () => {
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        },
      }),
      defineCollector({
        id: 'probe',
        title: 'Probe',
        collect: async () => {
          throw new CollectionFailure({ code: 'ENOIGD', phase: 'timeout', message: 'no UPnP IGD answered' });
        },
      }),
      defineCollector({ id: 'nope', title: 'Nope', collect: async (ctx) => ctx.skip('no token') }),
      defineCollector({ id: 'after-boom', title: 'After', needs: ['boom'], collect: async () => 1 }),
      defineCollector({ id: 'after-nope', title: 'After', needs: ['nope'], collect: async () => 1 }),
      defineCollector({
        id: 'optional',
        title: 'Optional',
        after: ['boom'],
        collect: async (ctx) => ctx.observation('boom')?.status,
      }),
    ];
    const o = await runCollectors(registry, ['after-boom', 'after-nope', 'probe', 'optional'], { services: {} });
    expect(o.boom).toMatchObject({ status: 'failed', error: { code: 'ECONNRESET', message: 'socket hang up' } });
    expect(o.probe).toMatchObject({ status: 'failed', error: { code: 'ENOIGD', phase: 'timeout' } });
    expect(o.nope).toMatchObject({ status: 'skipped', reason: 'no token' });
    expect(o['after-boom']).toMatchObject({ status: 'skipped', reason: 'needs boom, which failed: socket hang up' });
    expect(o['after-nope']).toMatchObject({ status: 'skipped', reason: 'needs nope, which was skipped: no token' });
    expect(o.optional).toMatchObject({ status: 'ok', value: 'failed' });
  });

  it('ends a hanging collector at its deadline, aborts its signal, and keeps the rest', async () => {
    let sawAbort = false;
    const registry: AnyCollector[] = [
      defineCollector({
        id: 'hang',
        title: 'Hanging probe',
        timeoutMs: 100,
        collect: (ctx) => new Promise(() => ctx.signal.addEventListener('abort', () => (sawAbort = true))),
      }),
      defineCollector({ id: 'fine', title: 'Fine', collect: async () => 'ok' }),
    ];
    const o = await runCollectors(registry, ['hang', 'fine'], { services: {} });
    expect(o.hang).toMatchObject({
      status: 'failed',
      error: { code: 'ETIMEDOUT', phase: 'timeout', message: 'Hanging probe did not finish within 100 ms' },
    });
    expect(o.fine).toMatchObject({ status: 'ok', value: 'ok' });
    expect(sawAbort).toBe(true);
  });

  it('marks collectors skipped when the whole collection is aborted', async () => {
    const controller = new AbortController();
    const registry: AnyCollector[] = [
      defineCollector({ id: 'slow', title: 'Slow', collect: () => new Promise(() => undefined) }),
    ];
    const run = runCollectors(registry, ['slow'], { services: {}, signal: controller.signal });
    controller.abort();
    expect((await run).slow).toMatchObject({ status: 'skipped', reason: 'the collection was aborted' });
  });

  it('emits start and finish progress events in order', async () => {
    const events: CollectProgress[] = [];
    const registry: AnyCollector[] = [
      defineCollector({ id: 'a', title: 'A', collect: async () => 1 }),
      defineCollector({ id: 'b', title: 'B', needs: ['a'], collect: async () => 2 }),
    ];
    await runCollectors(registry, ['b'], { services: {}, onProgress: (e) => events.push(e) });
    expect(events.map((e) => `${e.type}:${e.id}`)).toEqual(['start:a', 'finish:a', 'start:b', 'finish:b']);
  });

  it('passes the services to collectors', async () => {
    const registry: AnyCollector[] = [
      defineCollector({ id: 's', title: 'S', collect: async (ctx) => (ctx.services as { answer: number }).answer }),
    ];
    expect((await runCollectors(registry, ['s'], { services: { answer: 42 } })).s).toMatchObject({
      status: 'ok',
      value: 42,
    });
  });
});
