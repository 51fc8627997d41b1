/**
 * A server advertising many connections makes one collector fan its signal out to dozens of probes, and a collection
 * runs a dozen collectors on the caller's signal. Both are by design; Node's "MaxListenersExceededWarning: Possible
 * EventTarget memory leak detected" must not reach the user's stderr because of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/diagnose/collect.js';
import { defineCollector } from '../../src/collect/define-collector.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { runProbe } from '../../src/probes/types.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv, type FakePlexTv } from '../../src/testing/fake-plex-tv/index.js';
import { deviceValue, hostValue, natPmpValue, upnpValue } from '../../src/testing/observations.js';

const TOKEN = 'listener-token-0b9d7e1c';

async function warningsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    await work();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'));
}

describe('no listener-leak warnings from fan-out', () => {
  it('40 probes on one collector signal and 15 collectors on the caller signal', async () => {
    const probing = defineCollector({
      id: 'test.fanout',
      title: 'fan-out',
      collect: (ctx) =>
        Promise.all(
          Array.from({ length: 40 }, () =>
            runProbe(
              { timeoutMs: 2000, signal: ctx.signal, defaultTimeoutMs: 2000 },
              () => new Promise((r) => setTimeout(() => r(1), 20)),
            ),
          ),
        ),
    });
    const waiting = Array.from({ length: 15 }, (_, i) =>
      defineCollector({
        id: `test.wait${i}`,
        title: 'wait',
        collect: () => new Promise((r) => setTimeout(() => r(i), 30)),
      }),
    );
    const caller = new AbortController();
    const warnings = await warningsDuring(async () => {
      const snapshot = await collect({
        url: 'http://127.0.0.1:1',
        plexTv: false,
        rules: [],
        collectors: [probing, ...waiting],
        include: ['test.fanout', ...waiting.map((c) => c.id)],
        signal: caller.signal,
      });
      expect(Object.values(snapshot.observations).every((o) => o.status === 'ok')).toBe(true);
    });
    expect(warnings).toEqual([]);
  });

  describe('a real diagnosis of a server with 12 advertised connections', () => {
    let server: FakePlexServer;
    let plexTv: FakePlexTv;
    beforeAll(async () => {
      server = await startFakePlexServer({ token: TOKEN, latencyMs: 20 });
      const connections = Array.from({ length: 12 }, () => ({
        address: '127.0.0.1',
        port: server.port,
        local: true,
        protocol: 'http' as const,
        uri: `http://127.0.0.1:${server.port}`,
      }));
      const device = deviceValue({ clientIdentifier: server.machineIdentifier, connections });
      plexTv = await startFakePlexTv({
        tokens: [TOKEN],
        latencyMs: 20,
        devices: [device],
      });
    });
    afterAll(() => Promise.all([server?.close(), plexTv?.close()]));

    it('probes all 24 TCP + /identity without a warning', async () => {
      const ok =
        <T>(value: T) =>
        async () => ({ status: 'ok' as const, value, durationMs: 1 });
      const warnings = await warningsDuring(async () => {
        const report = await diagnose({
          url: server.url,
          token: TOKEN,
          plexTv: { baseUrl: plexTv.url },
          signal: new AbortController().signal,
          probes: {
            host: ok(hostValue()),
            upnp: ok(upnpValue()),
            natpmp: ok(natPmpValue()),
            gdm: ok({ servers: [], targets: [], sendErrors: [], ignoredReplies: 0 }),
          },
        });
        expect(report.observations.find((o) => o.id === 'probe.connections')?.status).toBe('ok');
        // The server.identity collector's own call, then one per advertised connection (never with the token).
        expect(server.requests.filter((r) => r.path === '/identity' && !r.hadToken)).toHaveLength(1 + 12);
      });
      expect(warnings).toEqual([]);
    });
  });
});
