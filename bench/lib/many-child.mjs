/**
 * The diagnosing process of bench/diagnose-many.ts, alone in its process and on the built package: diagnoseMany over
 * the first `count` servers at the given concurrency, all built-in rules, plex.tv's fake for the account calls; the
 * LAN probes answer from fixed facts (a fleet is diagnosed from one machine: its own router says nothing about theirs).
 * mode 'array': the ordered array form (every result held). mode 'each': `diagnoseMany.each`, results counted and
 * checked as they come (its index names its target) and then dropped, the way a fleet tool streams them to a file.
 * Prints one JSON line: wall time, RSS before the batch and peak RSS, and the outcome counts.
 *
 * argv[2]: JSON { dist, urlsFile, count, token, plexTvUrl, concurrency, mode, connections? }
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const { dist, urlsFile, count, token, plexTvUrl, concurrency, mode, connections } = JSON.parse(process.argv[2]);
const urls = JSON.parse(readFileSync(urlsFile, 'utf8')).slice(0, count);
const { diagnoseMany } = await import(`${dist}/diagnose-many.js`);
const { hostValue, upnpValue, natPmpValue } = await import(`${dist}/testing.js`);

const fact = (value) => async () => ({ status: 'ok', value, durationMs: 0 });
const probes = {
  host: fact(hostValue()),
  upnp: fact(upnpValue()),
  natpmp: fact(natPmpValue()),
  gdm: fact({ servers: [], targets: ['239.0.0.250:32414'], sendErrors: [], ignoredReplies: 0 }),
  // The fakes listen on loopback, so the host-local collectors would read THIS machine's sockets and firewall for each
  // target; a fleet's servers are other machines, where those collectors stand down. Facts, as for the router.
  hostListen: async (options) => ({
    checked: true,
    value: { sockets: [{ address: '0.0.0.0', family: 4, port: options?.port ?? 32400, scope: 'all' }], notes: [] },
  }),
  hostFirewall: async (options) => ({
    checked: true,
    value: {
      port: options.port,
      ipv4: { verdict: 'accepted', decidedBy: 'policy accept', tool: 'nft' },
      ipv6: { verdict: 'accepted', decidedBy: 'policy accept', tool: 'nft' },
      sources: [{ tool: 'nft', status: 'read' }],
    },
  }),
};
const target = (url) => ({ url, token, plexTv: { baseUrl: plexTvUrl }, probes, collectorTimeoutMs: 10_000 });

globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const maxRssBefore = process.resourceUsage().maxRSS * 1024;
const counts = {};
let failedChecks = 0;
let inOrder = true;
let retainedHeap = 0;
let resultsJsonBytes = 0;
// Where the peak goes: process.memoryUsage() sampled during the batch, the sample with the highest RSS kept whole (V8
// heap used and total, external, array buffers, new space), so the report can split the peak.
let atPeak = { rss: 0 };
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  if (usage.rss <= atPeak.rss) return;
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  atPeak = { ...usage, newSpace: newSpace?.space_size ?? 0 };
}, 25);
const many = { concurrency, ...(connections ? { connections } : {}) };
const started = performance.now();
if (mode === 'each') {
  // Targets made one at a time as the iteration asks for them, like rows of a database cursor.
  function* targets() {
    for (const url of urls) yield target(url);
  }
  const seen = new Uint8Array(urls.length);
  for await (const result of diagnoseMany.each(targets(), many)) {
    counts[result.status] = (counts[result.status] ?? 0) + 1;
    if (seen[result.index]++ || (result.status === 'ok' && result.report.target.url !== urls[result.index]))
      inOrder = false;
    if (result.status === 'ok') failedChecks += result.report.observations.filter((o) => o.status === 'failed').length;
  }
  if (seen.some((n) => n !== 1)) inOrder = false;
} else {
  const targets = urls.map(target);
  const results = await diagnoseMany(targets, many);
  for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
  failedChecks = results
    .filter((r) => r.status === 'ok')
    .reduce((sum, r) => sum + r.report.observations.filter((o) => o.status === 'failed').length, 0);
  inOrder = results.every((r, i) => r.status !== 'ok' || r.report.target.url === targets[i].url);
  globalThis.gc?.();
  retainedHeap = process.memoryUsage().heapUsed;
  resultsJsonBytes = Buffer.byteLength(JSON.stringify(results));
}
const ms = performance.now() - started;
clearInterval(sampler);
const peakRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ ms, rssBefore, maxRssBefore, peakRss, retainedHeap, resultsJsonBytes, counts, failedChecks, inOrder, atPeak })}\n`,
);
