/**
 * A loopback lab for the alternate-port experiment: the fake PMS (its `reachability` option plays plex.tv's
 * connect-back, e.g. "the ISP blocks 32400") and the fake IGD with a live mapping table that already forwards 32400.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlternatePortOptions } from '../../../src/experiments/alternate-port/run.js';
import { createServerClient, type ServerClient } from '../../../src/clients/server/client.js';
import {
  startFakeIgd,
  type FakeIgd,
  type FakeIgdOptions,
  type FakeMapping,
} from '../../../src/testing/fake-igd/index.js';
import {
  startFakePlexServer,
  type FakePlexServer,
  type FakePlexServerOptions,
} from '../../../src/testing/fake-plex-server/index.js';

export const TOKEN = 'experiment-token-8e2f1a';
export const SERVER_LAN_IP = '192.168.1.20';

/** The forward the user made by hand: 32400 → the server. */
export const FORWARD_32400: FakeMapping = {
  remoteHost: '',
  externalPort: 32400,
  protocol: 'TCP',
  internalPort: 32400,
  internalClient: SERVER_LAN_IP,
  enabled: true,
  description: 'plex',
  leaseSeconds: 0,
};

/** ISP blocks 32400: plex.tv reaches any other port. */
export const ispBlocks32400 = async (port: number): Promise<{ reachable: boolean; error?: string }> =>
  port === 32400 ? { reachable: false, error: 'connection timed out' } : { reachable: true };

export interface Lab {
  fake: FakePlexServer;
  igd: FakeIgd;
  server: ServerClient;
  journalPath: string;
  /** Options for a fast run against this lab; override per test. */
  options(extra?: Partial<AlternatePortOptions>): AlternatePortOptions;
  /** How many times PMS was asked to re-check reachability. */
  refreshCount(): number;
  /** PUT /:/prefs requests seen by the fake PMS. */
  prefPuts(): Record<string, string>[];
  close(): Promise<void>;
}

export async function startLab(pms: FakePlexServerOptions = {}, router: Partial<FakeIgdOptions> = {}): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'plex-diagnose-experiment-'));
  const fake = await startFakePlexServer({ token: TOKEN, ...pms });
  const igd = await startFakeIgd({ externalIp: '203.0.113.10', mappings: [FORWARD_32400], ...router });
  const server = createServerClient({ baseUrl: fake.url, token: TOKEN, timeoutMs: 2000 });
  const journalPath = join(dir, 'config', 'alternate-port-journal.json');
  return {
    fake,
    igd,
    server,
    journalPath,
    options: (extra = {}) => ({
      server,
      igd: { controlUrl: igd.controlUrl, serviceType: igd.serviceType },
      internalClient: SERVER_LAN_IP,
      waitMs: 1500,
      pollIntervalMs: 40,
      settleMs: 0,
      igdTimeoutMs: 1000,
      restoreTimeoutMs: 2000,
      journalPath,
      ...extra,
    }),
    refreshCount: () =>
      fake.requests.filter((r) => r.method === 'PUT' && r.path === '/myplex/refreshReachability').length,
    prefPuts: () => fake.requests.filter((r) => r.method === 'PUT' && r.path === '/:/prefs').map((r) => r.query),
    close: async () => {
      await Promise.all([fake.close(), igd.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
