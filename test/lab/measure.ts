/**
 * Start/stop time of each lab topology, median of N runs (default 5). Needs root and a build, like the lab:
 *   node --import tsx test/lab/measure.ts [runs]
 */
import { startLab, type LabScenario } from './harness/index.js';

const runs = Number(process.argv[2] ?? 5);
const forward = { externalPort: 32400, internalHost: '192.168.1.10', internalPort: 32400 };
const topologies: [string, LabScenario][] = [
  ['bare topology (no services)', { plex: false, plexTv: false, dns: 'none' }],
  ['healthy (forward, dnsmasq, both fakes)', { router: { forwards: [forward] } }],
  ['double NAT', { wan: 'double-nat', router: { forwards: [forward] } }],
  ['CGNAT', { wan: 'cgnat', router: { forwards: [forward] } }],
  ['miniupnpd + PMS automatic', { router: { upnp: 'miniupnpd' }, plex: { portMapping: 'automatic' } }],
  ['consumer IGD + PMS automatic', { router: { upnp: 'consumer-igd' }, plex: { portMapping: 'automatic' } }],
  ['rebind-protect DNS', { dns: 'rebind-protect', router: { forwards: [forward] } }],
  ['container', { container: {}, router: { forwards: [forward] } }],
];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const [name, scenario] of topologies) {
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const lab = await startLab({ ...scenario, name });
    up.push(performance.now() - started);
    const stopping = performance.now();
    await lab.stop();
    down.push(performance.now() - stopping);
  }
  console.log(
    `${name.padEnd(40)} up ${Math.round(median(up))} ms (${up.map(Math.round).join('/')})  down ${Math.round(median(down))} ms`,
  );
}
