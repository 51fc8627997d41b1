/**
 * diagnoseMany's connections: with 'per-target', a target's connections to its server are closed by the
 * time its result is handed on (also when the batch is aborted), while plex.tv's requests still go through undici's
 * global dispatcher; with 'shared', they stay open in the global pool as before. Each fake server sits behind a TCP
 * relay that counts the open client sockets. The relay hides the server's `Keep-Alive: timeout=5` hint and never
 * passes the server's own idle close on, and the global Agent keeps idle sockets for 10 minutes: so a socket the
 * library leaves open stays open, and "closed" can only mean the library closed it. Everything is gated by events.
 */
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { diagnoseMany } from '../../src/diagnose/diagnose-many.js';
import type { DiagnoseOptions } from '../../src/diagnose/diagnose.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv, type FakePlexTv } from '../../src/testing/fake-plex-tv/index.js';
import { hostValue, natPmpValue, upnpValue } from '../../src/testing/observations.js';

const TOKEN = 'fleet-conn-token-8d1e5b';

interface Relay {
  url: string;
  /** Client sockets open now. */
  readonly open: number;
  /** Client sockets accepted so far. */
  readonly accepted: number;
  /** Resolves once no client socket is open. */
  idle(): Promise<void>;
  /** Resolves once more than `before` client sockets were accepted. */
  connected(before: number): Promise<void>;
  close(): Promise<void>;
}

async function startRelay(upstreamPort: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    sockets.add(client);
    server.emit('changed');
    const upstream = connect(upstreamPort, '127.0.0.1');
    client.pipe(upstream);
    // Same length, so nothing else moves: undici then has no server hint and keeps the socket as long as its Agent says.
    upstream.on('data', (chunk: Buffer) =>
      client.write(
        Buffer.from(chunk.toString('latin1').replace(/keep-alive: timeout=/gi, 'x-kept-aliv: timeout='), 'latin1'),
      ),
    );
    upstream.on('error', () => undefined);
    client.on('error', () => undefined);
    client.on('close', () => {
      upstream.destroy();
      sockets.delete(client);
      server.emit('changed');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const until = async (done: () => boolean): Promise<void> => {
    while (!done()) await once(server, 'changed');
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get open() {
      return sockets.size;
    },
    get accepted() {
      return accepted;
    },
    idle: () => until(() => sockets.size === 0),
    connected: (before) => until(() => accepted > before),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const fact =
  <T>(value: T) =>
  () =>
    Promise.resolve({ status: 'ok' as const, value, durationMs: 0 });

let plexTv: FakePlexTv;
const servers: FakePlexServer[] = [];
const relays: Relay[] = [];
const seenByGlobal: string[] = [];
let previousGlobal: Dispatcher;
let longLived: Agent;

beforeAll(async () => {
  plexTv = await startFakePlexTv({ tokens: [TOKEN] });
  for (let i = 0; i < 3; i++) {
    const server = await startFakePlexServer({ token: TOKEN, friendlyName: `fleet-${i}` });
    servers.push(server);
    relays.push(await startRelay(server.port));
  }
  previousGlobal = getGlobalDispatcher();
  longLived = new Agent({ keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
  setGlobalDispatcher(
    longLived.compose((dispatch) => (options, handler) => {
      seenByGlobal.push(String(options.origin));
      return dispatch(options, handler);
    }),
  );
});
afterEach(async () => {
  seenByGlobal.length = 0;
  // Ends what 'shared' left open, so every test starts from no open socket.
  await longLived.close();
  longLived = new Agent({ keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
  setGlobalDispatcher(
    longLived.compose((dispatch) => (options, handler) => {
      seenByGlobal.push(String(options.origin));
      return dispatch(options, handler);
    }),
  );
  await Promise.all(relays.map((relay) => relay.idle()));
});
afterAll(async () => {
  setGlobalDispatcher(previousGlobal);
  await longLived.destroy();
  await Promise.all([...relays.map((r) => r.close()), ...servers.map((s) => s.close()), plexTv.close()]);
});

const target = (url: string): DiagnoseOptions => ({
  url,
  token: TOKEN,
  plexTv: { baseUrl: plexTv.url },
  probes: {
    host: fact(hostValue()),
    upnp: fact(upnpValue()),
    natpmp: fact(natPmpValue()),
    gdm: fact({ servers: [], targets: ['239.0.0.250:32414'], sendErrors: [], ignoredReplies: 0 }),
  },
  collectorTimeoutMs: 10_000,
});

describe('diagnoseMany connections', () => {
  it("closes a target's connections to its server by the time its result is yielded; plex.tv's stay global", async () => {
    const names: string[] = [];
    for await (const result of diagnoseMany.each(
      relays.map((relay) => target(relay.url)),
      { concurrency: 3, connections: 'per-target' },
    )) {
      expect(result.status).toBe('ok');
      if (result.status === 'ok') names[result.index] = result.report.target.name ?? '';
      expect(relays[result.index]!.accepted).toBeGreaterThan(0);
      // Destroyed before the yield; the relay sees the close on its side as the FIN arrives.
      await relays[result.index]!.idle();
    }
    expect(names).toEqual(['fleet-0', 'fleet-1', 'fleet-2']);
    expect(seenByGlobal).toContain(new URL(plexTv.url).origin);
    for (const relay of relays) expect(seenByGlobal).not.toContain(new URL(relay.url).origin);
  });

  it("'shared', the default, leaves them in the global pool, open after the result", async () => {
    const openAtResult: number[] = [];
    const results = await diagnoseMany(
      relays.map((relay) => target(relay.url)),
      { concurrency: 3, onResult: (_, index) => openAtResult.push(relays[index]!.open) },
    );
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(openAtResult.every((open) => open > 0)).toBe(true);
    for (const relay of relays) expect(seenByGlobal).toContain(new URL(relay.url).origin);
  });

  it('a target that brings its own dispatcher keeps it, and its connections stay the caller’s', async () => {
    const own = new Agent({ keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
    try {
      const [result] = await diagnoseMany([{ ...target(relays[0]!.url), dispatcher: own }], {
        connections: 'per-target',
      });
      expect(result?.status).toBe('ok');
      expect(relays[0]!.open).toBeGreaterThan(0);
      expect(seenByGlobal).not.toContain(new URL(relays[0]!.url).origin);
    } finally {
      await own.destroy();
    }
  });

  it('an aborted batch closes the connections of the diagnoses it cut short', async () => {
    servers[1]!.setLatency(600_000);
    const controller = new AbortController();
    try {
      const before = relays[1]!.accepted;
      const running = diagnoseMany([target(relays[1]!.url)], { signal: controller.signal, connections: 'per-target' });
      await relays[1]!.connected(before);
      controller.abort();
      const [result] = await running;
      expect(result?.status).toBe('aborted');
      await relays[1]!.idle();
    } finally {
      servers[1]!.setLatency(0);
    }
  });

  it('rejects an unknown connections mode before anything runs', () => {
    expect(() => diagnoseMany.each([], { connections: 'pooled' as never })).toThrow(/connections must be/);
  });
});
