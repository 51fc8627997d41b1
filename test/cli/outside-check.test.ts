/**
 * `plex-diagnose outside-check` as a subprocess: usage errors (exit 2) before anything listens; with `--map upnp`
 * against the fake IGD the mapping lives while the CLI waits and is gone after a timeout (exit 1), after Ctrl-C (exit
 * 130, 'restore' mode) and, after a kill -9, at the next start (the journal). A loopback visit with the nonce is
 * refused and does not end the wait. The printed URL carries plex.tv's view of the address (`--plextv-url`), the
 * router's, or `--public-ip`.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeIgd, type FakeIgd } from '../../src/testing/fake-igd/index.js';
import { startFakeNatPmp } from '../../src/testing/fake-natpmp.js';
import { PhoneCheckResult } from '../../src/outside/phone/index.js';
import { interruptStyle } from '../../src/cli/interrupt.js';
import { createSandbox, waitForOutput, type CliSandbox, type CliResult } from './helpers/run-cli.js';

const URL_LINE = /\n {2}(http:\/\/\S+)\n/;

let sandbox: CliSandbox;
let igd: FakeIgd;
let plexTv: Server;
let plexTvUrl: string;

beforeAll(async () => {
  sandbox = await createSandbox();
  // A plex.tv stand-in that answers `/:/ip` only.
  plexTv = createServer((request, response) => {
    response.writeHead(request.url === '/:/ip' ? 200 : 404, { 'content-type': 'text/plain' });
    response.end(request.url === '/:/ip' ? '84.9.9.9\n' : '');
  });
  await new Promise<void>((resolve) => plexTv.listen(0, '127.0.0.1', resolve));
  plexTvUrl = `http://127.0.0.1:${(plexTv.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => plexTv?.close(resolve));
  await sandbox?.cleanup();
});
beforeEach(async () => {
  igd = await startFakeIgd({ externalIp: '84.1.1.2' });
});
afterEach(async () => {
  await igd.close();
});

/** Starts the CLI; resolves once the URL is printed, with the child and its final result. */
async function start(args: string[], urlStream: 'stdout' | 'stderr' = 'stderr') {
  let child!: ChildProcess;
  const done = sandbox.run(['outside-check', ...args], {
    timeoutMs: 60_000,
    env: { LANG: 'C.UTF-8' },
    onSpawn: (spawned) => (child = spawned),
  });
  done.catch(() => undefined);
  const seen = await waitForOutput(child, urlStream, URL_LINE);
  return { child, url: URL_LINE.exec(seen)![1]!, done };
}

const journals = async (): Promise<string[]> =>
  (await readdir(sandbox.configDir).catch(() => [] as string[])).filter((n) => n.startsWith('outside-check-'));

const parse = (result: CliResult): PhoneCheckResult => PhoneCheckResult.parse(JSON.parse(result.stdout));

describe('outside-check and the first Ctrl-C', () => {
  it('restores (removes the mapping) with --map; without one it stops cooperatively, never immediately', () => {
    expect(interruptStyle(['outside-check', '--map', 'upnp'])).toBe('restore');
    expect(interruptStyle(['outside-check', '--map=natpmp'])).toBe('restore');
    expect(interruptStyle(['outside-check', '--port', '32401'])).toBe('cooperative');
  });
});

describe('outside-check usage', () => {
  it.each([
    [[], /needs --port <n>/],
    [['--map', 'pcp'], /--map must be upnp or natpmp/],
    [['--port', '70000'], /--port must be a port number/],
    [['--port', '8080', '--external-port', 'x'], /--external-port must be a port number/],
    [['--port', '8080', '--timeout', '1s'], /too short/],
    [['--port', '8080', '--timeout', '2h'], /too long/],
    [['--port', '8080', '--public-ip', 'my.house'], /--public-ip must be an IP address/],
    [['--port', '8080', '--upnp-location', 'http://127.0.0.1:9/x'], /go with --map upnp/],
    [['--port', '8080', '--ssdp-address', '127.0.0.1:1900'], /go with --map upnp/],
    [['--map', 'upnp', '--natpmp-gateway', '127.0.0.1'], /goes with --map natpmp/],
    [['--map', 'upnp', '--plextv-url', 'ftp://x'], /not an http\(s\) URL/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const result = await sandbox.run(['outside-check', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('outside-check --map upnp against the fake IGD', () => {
  it('times out (exit 1) after a refused loopback visit; JSON and -o carry the result; the mapping is gone', async () => {
    const output = join(sandbox.dir, 'phone.json');
    const run = await start([
      '--map',
      'upnp',
      '--upnp-location',
      igd.location,
      '--plextv-url',
      plexTvUrl,
      '--timeout',
      '6s',
      '--json',
      '-o',
      output,
    ]);
    expect(run.url).toMatch(/^http:\/\/84\.9\.9\.9:\d+\/[A-Za-z0-9_-]{22}$/);
    const mapping = igd.mappings()[0]!;
    expect(mapping).toMatchObject({ internalClient: '127.0.0.1', description: 'plex-diagnose outside-check' });
    expect(await journals()).toHaveLength(1);
    const nonce = run.url.split('/').pop()!;
    const refused = await fetch(`http://127.0.0.1:${mapping.internalPort}/${nonce}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('inside your network');
    expect((await fetch(`http://127.0.0.1:${mapping.internalPort}/`)).status).toBe(404);
    const result = await run.done;
    expect(result.code).toBe(1);
    const json = parse(result);
    expect(json).toMatchObject({
      reached: 'timeout',
      publicAddress: { address: '84.9.9.9', from: 'plextv' },
      externalPort: mapping.externalPort,
      mapping: { method: 'upnp', made: true, removed: true },
      counts: { refused: 1, notFound: 1 },
      refused: [{ kind: 'inside', addressClass: 'loopback' }],
    });
    expect(PhoneCheckResult.parse(JSON.parse(await readFile(output, 'utf8')))).toEqual(json);
    expect(result.stderr).toMatch(/MOBILE DATA, not your Wi-Fi/);
    expect(result.stderr).toMatch(/did not count: turn off Wi-Fi/);
    expect(result.stderr).toMatch(/[▀▄█]/);
    expect(igd.mappings()).toEqual([]);
    expect(await journals()).toEqual([]);
  });

  it('Ctrl-C removes the mapping first (exit 130)', async () => {
    const run = await start(['--map', 'upnp', '--upnp-location', igd.location, '--no-plextv', '--json']);
    expect(run.url).toMatch(/^http:\/\/84\.1\.1\.2:/);
    expect(igd.mappings()).toHaveLength(1);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/restoring any changes first/);
    expect(parse(result)).toMatchObject({ outcome: 'interrupted', mapping: { made: true, removed: true } });
    expect(igd.mappings()).toEqual([]);
    expect(await journals()).toEqual([]);
  });

  it('after a kill -9 the journal stays; the next run removes the mapping before it starts', async () => {
    const run = await start(['--map', 'upnp', '--ssdp-address', igd.ssdpAddress, '--no-plextv', '--json']);
    expect(igd.mappings()).toHaveLength(1);
    run.child.kill('SIGKILL');
    await run.done;
    expect(igd.mappings()).toHaveLength(1);
    expect(await journals()).toHaveLength(1);
    // A usage error runs nothing, so it cleans nothing either.
    expect((await sandbox.run(['outside-check', '--port', '0'])).code).toBe(2);
    expect(igd.mappings()).toHaveLength(1);
    // The next run needs no router: a forwarded port and a stated address.
    const second = await start(
      [
        '--port',
        String(await freePort()),
        '--external-port',
        '40123',
        '--public-ip',
        '84.1.1.2',
        '--timeout',
        '5s',
        '--no-color',
      ],
      'stdout',
    );
    expect(second.url).toMatch(/^http:\/\/84\.1\.1\.2:40123\//);
    const result = await second.done;
    expect(result.stderr).toMatch(/an earlier run's mapping: UPnP mapping of external port \d+ removed/);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Reached from outside: no visit arrived/);
    expect(result.stdout).not.toContain('\u001b[');
    expect(igd.mappings()).toEqual([]);
    expect(await journals()).toEqual([]);
  });
});

describe('outside-check --map natpmp', () => {
  it('maps through the gateway and unmaps on Ctrl-C', async () => {
    const gateway = await startFakeNatPmp({ externalIp: '84.1.1.2' });
    try {
      const run = await start(
        ['--map', 'natpmp', '--natpmp-gateway', `127.0.0.1:${gateway.port}`, '--no-plextv'],
        'stdout',
      );
      expect(gateway.mappings()).toHaveLength(1);
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(result.code).toBe(130);
      expect(gateway.mappings()).toEqual([]);
      expect(result.stdout).toMatch(/temporary router mapping is removed/);
    } finally {
      await gateway.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
