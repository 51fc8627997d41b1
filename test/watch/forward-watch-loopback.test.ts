/**
 * End to end on loopback, every part real: a reflector, a fake Plex server, three TCP listeners standing for three
 * forwards, and the watch loop (runWatch) run in-process with collect + analyze each run. One listener is closed after
 * run 3 and reopened on the same port after run 6: exactly one alert naming that forward (with its cause), then exactly
 * one recovery; the other two never alert. Then the reflector itself goes away: one note, no forward alert.
 * No clock is asserted: runs are counted, and the sleep between them is the test's own hook.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../src/collect/collect-snapshot.js';
import { analyze } from '../../src/diagnose/diagnose.js';
import { startReflector, type RunningReflector } from '../../src/outside/reflector/server.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import type { Alert } from '../../src/watch/alert.js';
import { createForwardWatch } from '../../src/watch/forward-watch.js';
import { runWatch } from '../../src/watch/run-watch.js';
import { createAlertTracker } from '../../src/watch/tracker.js';
import { SECRET } from '../outside/helpers.js';

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (server: Server): number => (server.address() as { port: number }).port;
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

let reflector: RunningReflector;
let plex: FakePlexServer;
const listeners: Server[] = [];
beforeAll(async () => {
  reflector = await startReflector({
    secret: SECRET,
    limits: { burst: 100, refillMs: 100 },
    deadlines: { tcpMs: 1000 },
  });
  plex = await startFakePlexServer({ machineIdentifier: 'loopback-server', token: 'owner-token-123' });
  plex.state.account.publicPort = plex.port;
  for (let i = 0; i < 3; i++) listeners.push(await listen());
});
afterAll(async () => {
  await Promise.all([reflector?.close(), plex?.close(), ...listeners.map((l) => (l.listening ? close(l) : undefined))]);
});

/** Runs the loop `runs` times; `between(run)` acts after each run (close/reopen a listener, stop the reflector). */
async function watchLoop(
  reflectorUrl: string,
  runs: number,
  between: (run: number) => Promise<void>,
): Promise<{ alerts: Alert[]; runs: number }> {
  const ports = listeners.map(portOf);
  const names = ['web', 'ssh', 'game'];
  const forwards = createForwardWatch({
    forwards: ports.map((port, i) => ({ externalPort: port, host: '127.0.0.1', internalPort: port, label: names[i]! })),
    debounce: 2,
  });
  const alerts: Alert[] = [];
  let run = 0;
  const result = await runWatch({
    intervalMs: 0,
    maxRuns: runs,
    signal: new AbortController().signal,
    tracker: createAlertTracker({ debounce: 2 }),
    forwards,
    runOnce: async (signal) => {
      const snapshot = await collectSnapshot({
        url: plex.url,
        token: 'owner-token-123',
        plexTv: false,
        collectorIds: ['probe.outside', 'server.identity', 'server.account', 'server.prefs'],
        outside: { reflectorUrl, secret: SECRET, forwards: ports.map((port) => ({ port })) },
        signal,
      });
      return analyze(snapshot, { rules: [], includeSnapshot: true });
    },
    onAlert: (alert) => void alerts.push(alert),
    sleep: async () => {
      run += 1;
      await between(run);
    },
  });
  return { alerts, runs: result.runs };
}

describe('watch monitors three loopback forwards through a real reflector', () => {
  it('one listener closed then reopened: one alert naming it, one recovery, nothing for the others', async () => {
    const victim = portOf(listeners[1]!);
    const { alerts, runs } = await watchLoop(reflector.url, 10, async (run) => {
      if (run === 3) await close(listeners[1]!);
      if (run === 6) listeners[1] = await listen(victim);
    });
    expect(runs).toBe(10);
    const forwardAlerts = alerts.filter((a) => a.kind.startsWith('forward-') || a.kind === 'outside-unavailable');
    expect(forwardAlerts.map((a) => [a.kind, a.forward?.externalPort])).toEqual([
      ['forward-broken', victim],
      ['forward-recovered', victim],
    ]);
    const [broken, recovered] = forwardAlerts;
    expect(broken!.forward).toMatchObject({
      label: 'ssh',
      target: `127.0.0.1:${victim}`,
      seen: 'refused',
      cause: 'host-down',
    });
    expect(broken!.summary).toContain(`port ${victim} → 127.0.0.1:${victim} (ssh)`);
    expect(recovered!.forward?.brokenSince).toBe(broken!.forward?.since);
    expect(JSON.stringify(alerts)).not.toContain(SECRET);
  });

  it('the reflector gone: one "outside unavailable" note, no forward alert', async () => {
    const spare = await startReflector({ secret: SECRET, limits: { burst: 100, refillMs: 100 } });
    const { alerts } = await watchLoop(spare.url, 6, async (run) => {
      if (run === 2) await spare.close();
    });
    expect(alerts.filter((a) => a.kind !== 'problem' && a.kind !== 'changed').map((a) => a.kind)).toEqual([
      'outside-unavailable',
    ]);
  });
});
