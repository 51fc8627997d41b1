/**
 * Issue 15 item 1 on a real LAN: another host (the router, 192.168.1.1) answers GDM with the genuine server's
 * Resource-Identifier and points at its own "server", which logs whether a token came. The CLI runs on the LAN host
 * as a user would, with no --url and the owner's token in PLEX_TOKEN: the spoofer must never get the token, and the
 * output must say why. The genuine server answering GDM from its own address (which plex.tv lists) still gets it.
 *
 * GDM is asked by unicast (`--gdm-target <host>:32414`): the attack is in the answer, and unicast keeps the search on
 * the one veth it is meant for. (The lab has no GDM responder of its own; see README "Limits".)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { withLab, type Lab } from './harness/index.js';
import { cliEnv, onPlainHost } from './cli-run.js';
import { distDir, LAB_BIN } from './harness/paths.js';
import { describeLab, forward, LAN_HOST } from './support.js';

const ROUTER_LAN = '192.168.1.1';

/** `collect` on the LAN host with no --url: the snapshot says which server was asked, and what the token unlocked. */
async function collectByGdm(lab: Lab, gdmTarget: string) {
  const env = Object.entries({ ...cliEnv(lab), PLEX_TOKEN: lab.token }).map(([key, value]) => `${key}=${value}`);
  const argv = [process.execPath, join(distDir(), 'cli.js'), 'collect', '--gdm-target', gdmTarget, '--timeout', '4s'];
  const result = await lab.exec('lan', onPlainHost(lab, ['/usr/bin/env', '-i', ...env, ...argv]), {
    timeoutMs: 90_000,
  });
  const snapshot = JSON.parse(result.stdout) as {
    target: { url: string; machineIdentifier?: string };
    context: { tokenProvided: boolean };
    observations: Record<string, { status: string }>;
  };
  return { result, snapshot };
}

function spoofer(lab: Lab, name: string, options: Record<string, unknown>): string {
  const log = join(lab.dir, `${name}-requests.jsonl`);
  lab.spawn(options.role === 'lan' ? 'lan' : 'rtr', name, [
    process.execPath,
    join(LAB_BIN, 'gdm-spoofer.mjs'),
    JSON.stringify({ ...options, log }),
  ]);
  return log;
}

const requestsIn = (log: string): { path: string; token: boolean }[] =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { path: string; token: boolean });

describeLab('lab: a GDM spoofer on another LAN host', () => {
  it('never receives the token; the genuine server, found by GDM at the address plex.tv lists, still does', async () => {
    await withLab({ name: 'gdm-spoof', router: { forwards: [forward(32400)] } }, async (lab) => {
      const machineIdentifier = lab.plex!.machineIdentifier;
      // The router answers GDM first (it is the only one asked) with a copy of the server's identity.
      const log = spoofer(lab, 'spoofer', { bind: ROUTER_LAN, machineIdentifier, name: 'Basement', httpPort: 32400 });
      await lab.waitForPort('rtr', ROUTER_LAN, 32400, { timeoutMs: 30_000 });
      await lab.waitForPort('rtr', ROUTER_LAN, 32414, { protocol: 'udp', timeoutMs: 30_000 });

      const spoofed = await collectByGdm(lab, `${ROUTER_LAN}:32414`);
      expect(spoofed.result.stderr).toContain(`server: http://${ROUTER_LAN}:32400 (found by GDM)`);
      expect(spoofed.snapshot.target).toMatchObject({ url: `http://${ROUTER_LAN}:32400`, machineIdentifier });
      const seen = requestsIn(log);
      expect(seen.map((r) => r.path)).toContain('/identity');
      expect(seen.filter((r) => r.token)).toEqual([]);
      expect(spoofed.result.stderr).toContain('token (from PLEX_TOKEN) NOT sent');
      expect(spoofed.result.stderr).toContain(`as yours but not at ${ROUTER_LAN}:32400`);
      expect(spoofed.snapshot.context.tokenProvided).toBe(false);
      expect(spoofed.result.stdout + spoofed.result.stderr).not.toContain(lab.token);

      // The genuine server's own GDM answer (from 192.168.1.10, the address plex.tv lists): the token goes there.
      spoofer(lab, 'genuine-gdm', { role: 'lan', bind: LAN_HOST, machineIdentifier, name: 'Basement', httpPort: 0 });
      await lab.waitForPort('lan', LAN_HOST, 32414, { protocol: 'udp', timeoutMs: 30_000 });
      const genuine = await collectByGdm(lab, `${LAN_HOST}:32414`);
      expect(genuine.snapshot.target).toMatchObject({ url: `http://${LAN_HOST}:32400`, machineIdentifier });
      expect(genuine.result.stderr).not.toContain('NOT sent');
      expect(genuine.snapshot.context.tokenProvided).toBe(true);
      expect(genuine.snapshot.observations['server.prefs']?.status).toBe('ok');
      expect(requestsIn(log).filter((r) => r.token)).toEqual([]);
    });
  });
});
