/**
 * The alternate-port experiment with --reflector, on loopback with a real reflector: while the experiment's mapping is
 * in place, the reflector connects back to the alternate port. A loopback "router" stands in for the forward: it
 * passes connections on the alternate port to the fake PMS only while the fake IGD's table holds the mapping, so an
 * identity seen from the reflector proves the check ran while the port was mapped. On loopback the vantage is
 * `loopback-test`: recorded honestly, never counted as outside.
 */
import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAlternatePortExperiment } from '../../../src/experiments/alternate-port/run.js';
import { alternatePortOutsideCheck } from '../../../src/experiments/alternate-port/outside-check.js';
import { AlternatePortResult } from '../../../src/collect/values/alternate-port.js';
import { defaultProbes } from '../../../src/collect/services.js';
import { startReflector, type RunningReflector } from '../../../src/outside/reflector/server.js';
import { analyze } from '../../../src/diagnose/diagnose.js';
import { buildSnapshot, healthyObservations, ok, accountValue } from '../../../src/testing/observations.js';
import { closedPort, SECRET } from '../../outside/helpers.js';
import { ispBlocks32400, startLab, type Lab } from './helpers.js';

let reflector: RunningReflector;
beforeAll(async () => {
  reflector = await startReflector({
    secret: SECRET,
    limits: { burst: 100, refillMs: 1000 },
    deadlines: { tcpMs: 1000 },
  });
});
afterAll(async () => reflector?.close());

const labs: Lab[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A free loopback port for the alternate port, with a "router" on it that forwards only while the IGD maps it. */
async function forwardingRouter(l: Lab): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    const port = (server.address() as AddressInfo).port;
    if (!l.igd.mappings().some((m) => m.externalPort === port)) return void socket.destroy();
    const upstream = connect(l.fake.port, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const checkWith = (l: Lab, secret = SECRET) =>
  alternatePortOutsideCheck(
    { outside: { reflectorUrl: reflector.url, secret }, probes: defaultProbes },
    { machineIdentifier: l.fake.machineIdentifier, timeoutMs: 8000 },
  );

describe('alternate-port experiment with a reflector', () => {
  it('checks the mapped port from the reflector while it is mapped, records it, and only then removes the mapping', async () => {
    const l = await startLab({ reachability: ispBlocks32400 });
    labs.push(l);
    const externalPort = await forwardingRouter(l);
    const result = await runAlternatePortExperiment(l.options({ externalPort, checkFromOutside: checkWith(l) }));

    expect(result.outcome).toBe('reachable');
    expect(result.outside).toEqual({
      ok: true,
      vantage: 'loopback-test',
      outside: false,
      vantageReason: expect.stringMatching(/loopback/),
      sourceSeen: '127.0.0.1',
      port: externalPort,
      state: 'open',
      identity: 'this',
    });
    const names = result.steps.map((s) => s.name);
    expect(names.indexOf('outside-check')).toBeGreaterThan(names.indexOf('add-mapping'));
    expect(names.indexOf('outside-check')).toBeLessThan(names.indexOf('delete-mapping'));
    expect(result.restored).toMatchObject({ prefs: true, mapping: true });
    expect(AlternatePortResult.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
    expect(JSON.stringify(result)).not.toContain(SECRET);

    // A loopback reflector is not outside: isp-blocks-port's proof rests on plex.tv alone, and says so.
    const observations = healthyObservations();
    observations['server.account'] = ok(
      accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
    );
    observations['experiment.alternatePort'] = ok(result);
    const report = analyze(buildSnapshot(observations));
    const isp = report.diagnoses.find((d) => d.ruleId === 'isp-blocks-port');
    expect(isp).toMatchObject({ messageId: 'proven', data: { by: "plex.tv's check" } });
    expect(isp!.evidence.map((e) => e.source)).not.toContain('experiment.alternatePort (reflector)');
  });

  it('no forward behind the mapped port: the reflector sees it refused, and that is recorded', async () => {
    const l = await startLab({ reachability: ispBlocks32400 });
    labs.push(l);
    const externalPort = await closedPort(); // nothing forwards what the router maps
    const result = await runAlternatePortExperiment(l.options({ externalPort, checkFromOutside: checkWith(l) }));
    expect(result.outside).toMatchObject({ ok: true, port: externalPort, state: 'refused', identity: 'none' });
  });

  it('a reflector that refuses us (another secret): the experiment still runs and restores, and says why', async () => {
    const l = await startLab({ reachability: ispBlocks32400 });
    labs.push(l);
    const externalPort = await forwardingRouter(l);
    const result = await runAlternatePortExperiment(
      l.options({ externalPort, checkFromOutside: checkWith(l, 'y'.repeat(40)) }),
    );
    expect(result.outcome).toBe('reachable');
    expect(result.outside).toMatchObject({ ok: false, outside: false, error: expect.stringMatching(/UNAUTHORIZED/) });
    expect(result.steps.find((s) => s.name === 'outside-check')).toMatchObject({ ok: false });
    expect(result.restored).toMatchObject({ prefs: true, mapping: true });
  });
});
