/**
 * The diagnosing process of bench/diagnose-many.ts, alone in its process and on the built package: diagnoseMany over
 * every given server at the given concurrency, all built-in rules, plex.tv's fake for the account calls; the LAN
 * probes answer from fixed facts (a fleet is diagnosed from one machine: its own router says nothing about theirs).
 * Prints one JSON line: wall time, RSS before the batch and peak RSS, and the outcome counts.
 *
 * argv[2]: JSON { dist, urls, token, plexTvUrl, concurrency }
 */
const { dist, urls, token, plexTvUrl, concurrency } = JSON.parse(process.argv[2]);
const { diagnoseMany } = await import(`${dist}/diagnose-many.js`);
const { hostValue, upnpValue, natPmpValue } = await import(`${dist}/testing.js`);

const fact = (value) => async () => ({ status: 'ok', value, durationMs: 0 });
const probes = {
  host: fact(hostValue()),
  upnp: fact(upnpValue()),
  natpmp: fact(natPmpValue()),
  gdm: fact({ servers: [], targets: ['239.0.0.250:32414'], sendErrors: [], ignoredReplies: 0 }),
};
const targets = urls.map((url) => ({ url, token, plexTv: { baseUrl: plexTvUrl }, probes, collectorTimeoutMs: 10_000 }));

globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const maxRssBefore = process.resourceUsage().maxRSS * 1024;
const started = performance.now();
const results = await diagnoseMany(targets, { concurrency });
const ms = performance.now() - started;
const counts = {};
for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
const failedChecks = results.filter((r) => r.status === 'ok').reduce((sum, r) => sum + r.report.observations.filter((o) => o.status === 'failed').length, 0);
const inOrder = results.every((r, i) => r.status !== 'ok' || r.report.target.url === targets[i].url);
const peakRss = process.resourceUsage().maxRSS * 1024;
globalThis.gc?.();
const retainedHeap = process.memoryUsage().heapUsed;
const resultsJsonBytes = Buffer.byteLength(JSON.stringify(results));
process.stdout.write(`${JSON.stringify({ ms, rssBefore, maxRssBefore, peakRss, retainedHeap, resultsJsonBytes, counts, failedChecks, inOrder })}\n`);
