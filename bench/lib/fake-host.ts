/**
 * The fakes of a bench, in a process of their own: a real Plex Media Server sits on another machine, so its CPU must
 * not be billed to the diagnosis being timed (on a 2-core VM the fakes then run on the other core).
 *
 * Child: `node --import tsx bench/lib/fake-host.ts '<json FakeHostSpec>'` prints one JSON line (FakeHostInfo) once
 * listening, and exits when its stdin closes. Parent: `startFakeHost(spec)`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv } from '../../src/testing/fake-plex-tv/index.js';
import { deviceValue } from '../../src/testing/observations.js';

export interface FakeHostSpec {
  /** Delay before every answer of every fake. */
  latencyMs: number;
  /** Fake Plex Media Servers to start. */
  servers: number;
  /**
   * 'connections': every server is one listener of the same machine (one machineIdentifier), and plex.tv lists the
   * first with one connection per server. 'fleet': every server is its own machine; plex.tv lists none of them.
   */
  mode: 'connections' | 'fleet';
  token: string;
  /** Pref overrides of server i (e.g. `{ PublishServerOnPlexOnlineKey: false }`). @default [] */
  serverPrefs?: Record<string, string | number | boolean>[];
  /** 'connections' mode: more connections plex.tv lists besides the servers (e.g. a black-holed port). @default [] */
  extraConnections?: { host: string; port: number }[];
}

export interface FakeHostInfo {
  urls: string[];
  plexTvUrl: string;
  token: string;
  pid: number;
}

export interface FakeHost extends FakeHostInfo {
  close(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

export async function startFakeHost(spec: Omit<FakeHostSpec, 'token'> & { token?: string }): Promise<FakeHost> {
  const full: FakeHostSpec = { ...spec, token: spec.token ?? `bench-${randomBytes(10).toString('hex')}` };
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, JSON.stringify(full)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const info = await new Promise<FakeHostInfo>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(text.slice(0, newline)) as FakeHostInfo);
    });
    child.once('exit', (code) => reject(new Error(`the fake host exited (${String(code)}) before it was ready`)));
  });
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

async function serve(spec: FakeHostSpec): Promise<void> {
  const machineIdentifier = randomBytes(20).toString('hex');
  const servers: FakePlexServer[] = [];
  for (let i = 0; i < spec.servers; i++) {
    servers.push(
      await startFakePlexServer({
        token: spec.token,
        latencyMs: spec.latencyMs,
        friendlyName: `bench-${i}`,
        ...(spec.mode === 'connections' ? { machineIdentifier } : {}),
        ...(spec.serverPrefs?.[i] ? { prefs: spec.serverPrefs[i] } : {}),
      }),
    );
    // The fakes keep every request for inspection; a bench makes millions of them.
    servers[i]!.requests.length = 0;
  }
  const devices =
    spec.mode === 'connections'
      ? [
          deviceValue({
            clientIdentifier: machineIdentifier,
            connections: [
              ...servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
              ...(spec.extraConnections ?? []),
            ].map(({ host, port }) => ({
              address: host,
              port,
              local: true,
              protocol: 'http' as const,
              uri: `http://${host}:${port}`,
            })),
          }) as unknown as Record<string, unknown>,
        ]
      : [];
  const plexTv = await startFakePlexTv({ tokens: [spec.token], latencyMs: spec.latencyMs, devices });
  const forget = setInterval(() => {
    for (const server of servers) server.requests.length = 0;
    plexTv.requests.length = 0;
  }, 1000);
  process.stdout.write(
    `${JSON.stringify({ urls: servers.map((s) => s.url), plexTvUrl: plexTv.url, token: spec.token, pid: process.pid } satisfies FakeHostInfo)}\n`,
  );
  process.stdin.resume();
  process.stdin.once('end', () => {
    clearInterval(forget);
    void Promise.all([...servers.map((s) => s.close()), plexTv.close()]).then(() => process.exit(0));
  });
}

if (process.argv[1] === SELF) await serve(JSON.parse(process.argv[2]!) as FakeHostSpec);
