/**
 * diagnoseMany.each: completion order with input indices, lazy reading of the targets, backpressure, early exit and a
 * failing source. Every target runs one gated collector the test opens by hand, so the order is decided here, not by
 * timers (no wall-clock assertion anywhere).
 */
import { describe, expect, it } from 'vitest';
import { defineCollector } from '../../src/collect/define-collector.js';
import { diagnoseMany } from '../../src/diagnose/diagnose-many.js';
import type { DiagnoseOptions } from '../../src/diagnose/diagnose.js';
import { UsageError } from '../../src/core/errors.js';

/** Targets whose only check waits for `open(i)` (or its abort); `events` records what happened to each. */
function gatedFleet() {
  const gates = new Map<number, () => void>();
  const waiting = new Map<number, Promise<void>>();
  const gate = (i: number): Promise<void> => {
    if (!waiting.has(i)) waiting.set(i, new Promise<void>((resolve) => gates.set(i, resolve)));
    return waiting.get(i)!;
  };
  const events = { started: [] as number[], aborted: [] as number[] };
  const target = (i: number): DiagnoseOptions => ({
    url: `http://127.0.0.1:1/${i}`,
    plexTv: false,
    rules: [],
    include: ['test.gate'],
    collectorTimeoutMs: 60_000,
    collectors: [
      defineCollector({
        id: 'test.gate',
        title: 'gate',
        async collect(ctx) {
          events.started.push(i);
          let done = false;
          await new Promise<void>((resolve) => {
            void gate(i).then(() => ((done = true), resolve()));
            const onAbort = (): void => {
              if (!done) events.aborted.push(i);
              resolve();
            };
            ctx.signal.addEventListener('abort', onAbort, { once: true });
          });
          return { target: i };
        },
      }),
    ],
  });
  const open = (i: number): void => {
    void gate(i);
    gates.get(i)!();
  };
  return { target, open, events };
}

/** The next yielded value; the iteration ending instead is a failure. */
async function valueOf<T>(step: Promise<IteratorResult<T, unknown>>): Promise<T> {
  const { done, value } = await step;
  if (done) throw new Error('the iteration ended early');
  return value;
}

/** Lets the event loop run until `condition` holds (bounded by the test's own timeout, never asserted on time). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** Which target a result is the report of: the report's own server URL, not the result's echo of the input. */
const reportedTarget = (result: { status: string; report?: { target: { url?: string } } }): number =>
  Number(/\/(\d+)$/.exec(result.report?.target.url ?? '')?.[1] ?? Number.NaN);

describe('diagnoseMany.each', () => {
  it('yields in completion order, each result with its input index and its own report', async () => {
    const fleet = gatedFleet();
    const iterator = diagnoseMany.each([0, 1, 2].map(fleet.target), { concurrency: 3 });
    const first = iterator.next();
    await until(() => fleet.events.started.length === 3);
    fleet.open(2);
    const a = await valueOf(first);
    fleet.open(0);
    const b = await valueOf(iterator.next());
    fleet.open(1);
    const c = await valueOf(iterator.next());
    expect([a.index, b.index, c.index]).toEqual([2, 0, 1]);
    expect([a, b, c].map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect([a, b, c].map(reportedTarget)).toEqual([2, 0, 1]);
    expect((await iterator.next()).done).toBe(true);
  });

  it('reads the targets lazily and holds the work back while results are unread', async () => {
    const fleet = gatedFleet();
    let pulled = 0;
    function* endless(): Generator<DiagnoseOptions> {
      for (let i = 0; ; i++) {
        pulled++;
        yield fleet.target(i);
      }
    }
    let settledCount = 0;
    const iterator = diagnoseMany.each(endless(), { concurrency: 2, onResult: () => settledCount++ });
    const first = iterator.next();
    await until(() => fleet.events.started.length === 2);
    expect(pulled).toBe(2);
    fleet.open(0);
    expect((await valueOf(first)).index).toBe(0);
    // The slot freed by the read result is refilled while the consumer holds it: exactly one more target.
    await until(() => fleet.events.started.length === 3);
    expect(pulled).toBe(3);
    fleet.open(1);
    fleet.open(2);
    await until(() => settledCount === 3);
    // Two results unread (1 and 2) fill both slots: nothing more is read until the consumer catches up.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).toBe(3);
    expect((await valueOf(iterator.next())).index).toBe(1);
    await until(() => fleet.events.started.length === 4);
    expect(pulled).toBe(4);
    expect(fleet.events.started).toEqual([0, 1, 2, 3]);
    await iterator.return(undefined);
  });

  it('an early break starts nothing more, aborts what runs, waits for it, and closes the source', async () => {
    const fleet = gatedFleet();
    let closed = false;
    async function* source(): AsyncGenerator<DiagnoseOptions> {
      try {
        for (let i = 0; i < 100; i++) yield fleet.target(i);
      } finally {
        closed = true;
      }
    }
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const result of diagnoseMany.each(source(), { concurrency: 3 })) {
        seen.push(result.index);
        break;
      }
    })();
    await until(() => fleet.events.started.length === 3);
    fleet.open(1);
    await consumer;
    expect(seen).toEqual([1]);
    expect(closed).toBe(true);
    // Slot 1's replacement (target 3) may have started before the break; everything still running was aborted.
    expect(fleet.events.started.slice(0, 3)).toEqual([0, 1, 2]);
    expect(fleet.events.started.length).toBeLessThanOrEqual(4);
    expect([...fleet.events.aborted].sort()).toEqual(fleet.events.started.filter((i) => i !== 1).sort());
  });

  it('a failing target is a failed result at its index; a throwing source ends the loop after what it started', async () => {
    const fleet = gatedFleet();
    const boom = new Error('cursor lost');
    function* source(): Generator<DiagnoseOptions> {
      yield fleet.target(0);
      yield { url: 'not a url' };
      throw boom;
    }
    const seen: { index: number; status: string }[] = [];
    const outcome = (async () => {
      for await (const { index, status } of diagnoseMany.each(source(), { concurrency: 4 }))
        seen.push({ index, status });
    })().then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await until(() => fleet.events.started.length === 1);
    fleet.open(0);
    expect(await outcome).toBe(boom);
    // Target 0 was running when the source threw: it finished and was yielded before the error.
    expect(seen).toEqual([
      { index: 1, status: 'failed' },
      { index: 0, status: 'ok' },
    ]);
    expect(fleet.events.aborted).toEqual([]);
  });

  it('a bad concurrency throws at the call; an empty source ends at once', async () => {
    expect(() => diagnoseMany.each([], { concurrency: 0 })).toThrow(UsageError);
    const results = [];
    for await (const result of diagnoseMany.each([])) results.push(result);
    expect(results).toEqual([]);
  });

  it('the array form is built on it and keeps input order without an index field', async () => {
    const fleet = gatedFleet();
    const pending = diagnoseMany([0, 1].map(fleet.target), { concurrency: 2 });
    await until(() => fleet.events.started.length === 2);
    fleet.open(1);
    fleet.open(0);
    const results = await pending;
    expect(results.map(reportedTarget)).toEqual([0, 1]);
    expect(results.every((r) => !('index' in r))).toBe(true);
  });
});

describe('diagnoseMany.each at a concurrency above Node’s listener limit', () => {
  it('prints no MaxListenersExceededWarning', async () => {
    const fleet = gatedFleet();
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const pending = diagnoseMany(
        Array.from({ length: 16 }, (_, i) => fleet.target(i)),
        { concurrency: 16 },
      );
      await until(() => fleet.events.started.length === 16);
      for (let i = 0; i < 16; i++) fleet.open(i);
      expect((await pending).every((r) => r.status === 'ok')).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
