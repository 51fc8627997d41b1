import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCollector } from '../../src/collect/define-collector.js';
import { diagnoseMany, type DiagnoseManyResult } from '../../src/diagnose/diagnose-many.js';
import type { DiagnoseOptions } from '../../src/diagnose/diagnose.js';
import { UsageError } from '../../src/core/errors.js';
import { builtinRules } from '../../src/rules/builtin/index.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';

const TOKEN = 'many-token-5f0c2a9e77';
const remoteAccessRule = builtinRules.filter((rule) => rule.id === 'remote-access-disabled');

describe('diagnoseMany against real fake servers', () => {
  const servers: FakePlexServer[] = [];
  beforeAll(async () => {
    // The first answers slowest, so completion order differs from input order.
    servers.push(
      await startFakePlexServer({
        token: TOKEN,
        friendlyName: 'slow',
        latencyMs: 150,
        prefs: { PublishServerOnPlexOnlineKey: false },
      }),
    );
    servers.push(await startFakePlexServer({ token: TOKEN, friendlyName: 'fast-a' }));
    servers.push(
      await startFakePlexServer({
        token: TOKEN,
        friendlyName: 'fast-b',
        prefs: { PublishServerOnPlexOnlineKey: false },
      }),
    );
  });
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  const target = (url: string): DiagnoseOptions => ({
    url,
    token: TOKEN,
    plexTv: false,
    rules: remoteAccessRule,
    collectorTimeoutMs: 3000,
  });

  it('returns one result per target in input order, each the report of its own server, and a bad target fails alone', async () => {
    const completion: number[] = [];
    const targets = [
      target(servers[0]!.url),
      target(`not a url ?X-Plex-Token=${TOKEN}`),
      target(servers[1]!.url),
      target(servers[2]!.url),
    ];
    const results = await diagnoseMany(targets, { concurrency: 4, onResult: (_, index) => completion.push(index) });

    expect(results.map((r) => r.status)).toEqual(['ok', 'failed', 'ok', 'ok']);
    expect(completion[completion.length - 1]).toBe(0); // the slow one finished last, yet comes first
    const ok = results.filter((r): r is Extract<DiagnoseManyResult, { status: 'ok' }> => r.status === 'ok');
    expect(ok.map((r) => r.report.target.name)).toEqual(['slow', 'fast-a', 'fast-b']);
    expect(ok.map((r) => r.report.diagnoses.map((d) => d.ruleId))).toEqual([
      ['remote-access-disabled'],
      [],
      ['remote-access-disabled'],
    ]);
    const failed = results[1] as Extract<DiagnoseManyResult, { status: 'failed' }>;
    expect(failed.error.code).toBe('PLEXDIAG_USAGE');
    // Plain JSON, and the token is nowhere: not in the echoed URL, not in the message.
    const text = JSON.stringify(results);
    expect(JSON.parse(text)).toEqual(results);
    expect(text).not.toContain(TOKEN);
  });
});

describe('diagnoseMany scheduling (a counting collector, no network)', () => {
  /** A collector that holds a slot for `holdMs` (or until aborted) and records how many run at once. */
  function counter(holdMs: number) {
    const stats = { active: 0, peak: 0, started: 0 };
    const collector = defineCollector({
      id: 'test.counter',
      title: 'counter',
      async collect(ctx) {
        stats.started++;
        stats.active++;
        stats.peak = Math.max(stats.peak, stats.active);
        try {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, holdMs);
            ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
          });
          return { held: holdMs };
        } finally {
          stats.active--;
        }
      },
    });
    const targets = (count: number): DiagnoseOptions[] =>
      Array.from({ length: count }, (_, i) => ({
        url: `http://127.0.0.1:1/${i}`,
        plexTv: false,
        rules: [],
        collectors: [collector],
        include: ['test.counter'],
        collectorTimeoutMs: 5000,
      }));
    return { stats, targets };
  }

  it('never runs more than `concurrency` diagnoses at once, and uses all of it', async () => {
    const { stats, targets } = counter(30);
    const results = await diagnoseMany(targets(12), { concurrency: 3 });
    expect(results).toHaveLength(12);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(stats.started).toBe(12);
    expect(stats.peak).toBe(3);
  });

  it('an abort ends running targets and never starts the rest', async () => {
    const { stats, targets } = counter(10_000);
    const controller = new AbortController();
    const pending = diagnoseMany(targets(6), { concurrency: 2, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    // Every running target ends as aborted (the test's timeout bounds a wait for the collectors' 10 s hold).
    const results = await pending;
    expect(results.map((r) => r.status)).toEqual(['aborted', 'aborted', 'aborted', 'aborted', 'aborted', 'aborted']);
    expect(stats.started).toBe(2);
    expect(results.slice(2).every((r) => r.durationMs === 0)).toBe(true);
  });

  it("a target's own signal stops only that target (its checks are skipped), the batch goes on", async () => {
    const { targets } = counter(200);
    const own = new AbortController();
    const list = targets(2);
    list[0] = { ...list[0]!, signal: own.signal };
    setTimeout(() => own.abort(), 30);
    const results = await diagnoseMany(list, { concurrency: 2 });
    expect(results[0]!.status).toBe('ok');
    const report = (results[0] as Extract<DiagnoseManyResult, { status: 'ok' }>).report;
    expect(report.observations.find((o) => o.id === 'test.counter')?.status).toBe('skipped');
    expect(
      (results[1] as Extract<DiagnoseManyResult, { status: 'ok' }>).report.observations.find(
        (o) => o.id === 'test.counter',
      )?.status,
    ).toBe('ok');
  });

  it('an already aborted signal touches nothing', async () => {
    const { stats, targets } = counter(10);
    const results = await diagnoseMany(targets(3), { signal: AbortSignal.abort() });
    expect(results.map((r) => r.status)).toEqual(['aborted', 'aborted', 'aborted']);
    expect(stats.started).toBe(0);
  });

  it('a throwing onResult loses no result; an empty list is an empty result', async () => {
    const { targets } = counter(1);
    let calls = 0;
    const results = await diagnoseMany(targets(4), {
      concurrency: 2,
      onResult: () => {
        calls++;
        throw new Error('progress bar broke');
      },
    });
    expect(calls).toBe(4);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(await diagnoseMany([])).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects concurrency %s before running anything',
    async (concurrency) => {
      const { stats, targets } = counter(1);
      await expect(diagnoseMany(targets(2), { concurrency })).rejects.toBeInstanceOf(UsageError);
      expect(stats.started).toBe(0);
    },
  );
});
