/**
 * Lab: the phone check (issue 13 item 3) with the real miniupnpd. The built CLI runs `outside-check --map upnp` on the
 * LAN host; a client on the LAN that opens the link is refused (it never left the home) and the wait goes on; the
 * "phone" is a client in the internet namespace (84.0.0.2, a public address) that follows the printed URL and gets the
 * "it worked" page; the CLI exits 0, and `upnpc -l` shows the temporary mapping gone.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { withLab, LAB_ADDRESSES, type Lab, type LabProcess } from './harness/index.js';
import { distDir } from './harness/paths.js';
import { cliEnv, onPlainHost } from './cli-run.js';
import { upnpcList } from './scenarios.js';
import { describeLab, LAN_HOST } from './support.js';

const URL_LINE = /\n {2}(http:\/\/84\.1\.1\.2:(\d+)\/([A-Za-z0-9_-]{22}))\n/;

async function waitForLog(proc: LabProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const log = await readFile(proc.logPath, 'utf8').catch(() => '');
    const match = pattern.exec(log);
    if (match) return match;
    if (!proc.running() || performance.now() > until)
      throw new Error(`outside-check never printed ${pattern} (running: ${proc.running()}):\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function startCli(lab: Lab, args: readonly string[]): LabProcess {
  const env = Object.entries(cliEnv(lab)).map(([key, value]) => `${key}=${value}`);
  const argv = [process.execPath, join(distDir(), 'cli.js'), 'outside-check', ...args];
  return lab.spawn('lan', 'outside-check', onPlainHost(lab, ['/usr/bin/env', '-i', ...env, ...argv]));
}

/** The JSON result inside the log (stdout and stderr share the file; the JSON is one indented block). */
function resultOf(log: string): Record<string, unknown> {
  const start = log.indexOf('{\n  "version": 1,\n  "vantage": "phone"');
  const end = log.indexOf('\n}\n', start);
  if (start < 0 || end < 0) throw new Error(`no JSON result in the log:\n${log}`);
  return JSON.parse(log.slice(start, end + 2)) as Record<string, unknown>;
}

describeLab('lab: the phone check (outside-check --map upnp)', () => {
  it('a LAN visit is refused, the internet "phone" is counted, exit 0, and miniupnpd no longer holds the mapping', async () => {
    await withLab({ name: 'phone-check', router: { upnp: 'miniupnpd' }, plex: false }, async (lab) => {
      const started = performance.now();
      const cli = startCli(lab, ['--map', 'upnp', '--json', '--timeout', '90s']);
      const [, url, externalPort, nonce] = await waitForLog(cli, URL_LINE);
      const ready = performance.now();

      // The router holds the temporary mapping to this host while the CLI waits.
      const mapped = (await upnpcList(lab)).find((m) => m.externalPort === Number(externalPort));
      expect(mapped).toMatchObject({
        protocol: 'TCP',
        internalClient: LAN_HOST,
        description: 'plex-diagnose outside-check',
      });

      // A second client on the LAN opens the link: refused, and the CLI keeps waiting.
      const lan = await lab.http('rtr', {
        url: `http://${LAN_HOST}:${mapped!.internalPort}/${nonce}`,
        timeoutMs: 3000,
      });
      expect(lan.status).toBe(403);
      expect(lan.body).toContain('This came from inside your network');
      await waitForLog(cli, /did not count: turn off Wi-Fi/);
      expect(cli.running()).toBe(true);

      // A scanner without the nonce, from the internet: a bland 404.
      const scanner = await lab.http('inet', { url: `http://84.1.1.2:${externalPort}/`, localAddress: '84.0.0.2' });
      expect(scanner.status).toBe(404);
      expect(cli.running()).toBe(true);

      // The phone on mobile data: a public address on the internet side.
      const phone = await lab.http('inet', { url: url!, localAddress: LAB_ADDRESSES.internetUplink, timeoutMs: 5000 });
      expect(phone.status).toBe(200);
      expect(phone.body).toContain('It worked');
      expect(phone.body).toContain(LAB_ADDRESSES.internetUplink);

      const exit = await cli.exited;
      const finished = performance.now();
      const log = await readFile(cli.logPath, 'utf8');
      expect(exit, log).toEqual({ code: 0, signal: null });
      expect(resultOf(log)).toMatchObject({
        reached: 'yes',
        publicAddress: { address: '84.1.1.2' },
        externalPort: Number(externalPort),
        mapping: { method: 'upnp', made: true, removed: true },
        source: { address: LAB_ADDRESSES.internetUplink, addressClass: 'public', kind: 'outside' },
        refused: [{ address: LAB_ADDRESSES.routerLan, addressClass: 'private', kind: 'inside' }],
        counts: { refused: 1, notFound: 1 },
      });
      expect((await upnpcList(lab)).filter((m) => m.description === 'plex-diagnose outside-check')).toEqual([]);
      // The listener is closed: the same URL from the phone no longer connects.
      const after = await lab.http('inet', { url: url!, localAddress: LAB_ADDRESSES.internetUplink, timeoutMs: 1500 });
      expect(after.status).toBeUndefined();
      console.log(
        `phone-check lab: URL after ${Math.round(ready - started)} ms, visit to exit ${Math.round(finished - ready)} ms (wall clock, not asserted)`,
      );
    });
  });
});
