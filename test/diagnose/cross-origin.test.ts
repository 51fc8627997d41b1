/**
 * Issue 12: a URL where every request is redirected to another origin (here a real fake Plex server on another port)
 * must not be diagnosed as that origin: its answers are a finding, never the server's data, and never "No problems".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/diagnose/collect.js';
import { analyze, readSnapshot } from '../../src/diagnose/diagnose.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';

let other: FakePlexServer;
let redirector: LoopbackServer;

beforeAll(async () => {
  other = await startFakePlexServer();
  redirector = await startLoopbackServer((request, response) => {
    response.writeHead(302, { location: `${other.url}${request.url ?? '/'}` });
    response.end();
  });
});
afterAll(async () => {
  await redirector.close();
  await other.close();
});

describe('a server URL that redirects every request to another origin', () => {
  it('is a finding of server-unreachable (otherOrigin), the other origin is never taken as the server', async () => {
    const snapshot = await collect({
      url: redirector.url,
      plexTv: false,
      // Only the server's own rules: every collector they need talks to loopback (no LAN probes).
      only: ['server'],
      include: ['server.prefs', 'server.account'],
    });
    for (const id of ['server.identity', 'server.root', 'server.prefs', 'server.account']) {
      const observation = snapshot.observations[id];
      expect(observation?.status, id).not.toBe('ok');
    }
    expect(snapshot.target.machineIdentifier).toBeUndefined();
    const report = analyze(readSnapshot(JSON.parse(JSON.stringify(snapshot))), { only: ['server'] });
    expect(report.verdict.status).not.toBe('ok');
    const first = report.diagnoses[0]!;
    expect({ ruleId: first.ruleId, messageId: first.messageId }).toEqual({
      ruleId: 'server-unreachable',
      messageId: 'otherOrigin',
    });
    expect(first.message).toContain(new URL(other.url).origin);
    expect(other.requests.length).toBeGreaterThan(0); // the redirect was followed, and its answer refused
  });
});
