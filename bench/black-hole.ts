/**
 * One black-holed probe: among the connections plex.tv lists, one leads to a port that never completes a handshake
 * (startBlackHoleListener: a full accept queue drops every SYN, like a firewall's DROP). The whole diagnosis must
 * cost that probe's timeout, not more: total ≤ timeout + 10%. The probes alone are timed too.
 *
 * Run alone: `npx tsx bench/black-hole.ts [--timeout 1000] [--reps 5]`
 */
import { collect } from '../src/diagnose/collect.js';
import type { ConnectionsValue } from '../src/collect/values/connections.js';
import { probeBudget } from '../src/collect/builtin/probe-value.js';
import { diagnose } from '../src/diagnose/diagnose.js';
import { probeIdentity } from '../src/probes/identity/probe.js';
import { probeTcp } from '../src/probes/tcp.js';
import { startBlackHoleListener } from '../src/testing/black-hole.js';
import { median, numberArg, report, section, timed } from './lib/figures.js';
import { startLatencySetup } from './lib/latency-setup.js';

const COLLECTOR_TIMEOUT_MS = numberArg('timeout', 1000);
const REPS = numberArg('reps', 5);
const HEALTHY_CONNECTIONS = 8;
// What the connection collector gives each probe (src/collect/builtin/connections.ts).
const PROBE_TIMEOUT_MS = Math.min(probeBudget(COLLECTOR_TIMEOUT_MS), 5000);
const TARGET = PROBE_TIMEOUT_MS * 1.1;

const hole = await startBlackHoleListener();
section(`one black-holed connection (127.0.0.1:${hole.port} never answers), probe timeout ${PROBE_TIMEOUT_MS} ms`);
try {
  const tcp: number[] = [];
  const identity: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = await timed(() => probeTcp(hole.host, hole.port, { timeoutMs: PROBE_TIMEOUT_MS }));
    if (t.value.status !== 'failed' || t.value.error.phase !== 'timeout')
      throw new Error(`the black hole answered: ${JSON.stringify(t.value)}`);
    tcp.push(t.ms);
    const h = await timed(() => probeIdentity(`http://${hole.host}:${hole.port}`, { timeoutMs: PROBE_TIMEOUT_MS }));
    if (h.value.status !== 'failed' || h.value.error.phase !== 'timeout')
      throw new Error(`the black hole answered: ${JSON.stringify(h.value)}`);
    identity.push(h.ms);
  }
  report({
    name: 'TCP probe of the black hole',
    value: median(tcp),
    unit: 'ms',
    target: TARGET,
    note: `timeout ${PROBE_TIMEOUT_MS} ms: ${(median(tcp) / PROBE_TIMEOUT_MS).toFixed(3)} × the timeout`,
  });
  report({
    name: '/identity probe of the black hole',
    value: median(identity),
    unit: 'ms',
    target: TARGET,
    note: `timeout ${PROBE_TIMEOUT_MS} ms: ${(median(identity) / PROBE_TIMEOUT_MS).toFixed(3)} × the timeout`,
  });

  const setup = await startLatencySetup({
    latencyMs: 0,
    connections: HEALTHY_CONNECTIONS,
    extraConnections: [{ host: hole.host, port: hole.port }],
    collectorTimeoutMs: COLLECTOR_TIMEOUT_MS,
  });
  try {
    const snapshot = await collect(setup.options);
    const connections =
      (snapshot.observations['probe.connections'] as { value?: ConnectionsValue }).value?.connections ?? [];
    const holed = connections.filter((c) => c.tcp?.status === 'failed' && c.tcp.error.phase === 'timeout');
    if (connections.length !== HEALTHY_CONNECTIONS + 1 || holed.length !== 1)
      throw new Error(
        `expected ${HEALTHY_CONNECTIONS} open connections and one timeout, got ${JSON.stringify(connections.map((c) => c.tcp?.status))}`,
      );
    const totals: number[] = [];
    for (let i = 0; i < REPS; i++) totals.push((await timed(() => diagnose(setup.options))).ms);
    report({
      name: `diagnose with ${HEALTHY_CONNECTIONS} open connections and 1 black-holed`,
      value: median(totals),
      unit: 'ms',
      target: TARGET,
      note: `${(median(totals) / PROBE_TIMEOUT_MS).toFixed(3)} × the probe timeout (collector deadline ${COLLECTOR_TIMEOUT_MS} ms); min ${Math.min(...totals).toFixed(0)}, max ${Math.max(...totals).toFixed(0)} of ${REPS}`,
    });
  } finally {
    await setup.close();
  }
} finally {
  await hole.close();
}
