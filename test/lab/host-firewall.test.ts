/**
 * Issue 14 item 1 in a real network: the server's LAN host runs a real nftables input chain that accepts the LAN
 * (192.168.1.0/24) and drops TCP 32400 from everywhere else. The router forwards 32400 by hand (a static DNAT), Plex
 * is in manual mode on 32400, so plex.tv's connect-back reaches the server and dies in its own firewall. The built CLI,
 * run on that host as root, must name the host firewall (not the ISP, not a missing forward); run as nobody in the same
 * namespace it cannot read the firewall and must say so, without crashing.
 */
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { withLab, type Lab } from './harness/index.js';
import { cliArgv, cliEnv, onPlainHost, summarize, type CliRun } from './cli-run.js';
import { describeLab, forward, fromInternet, LAN_HOST, refreshAndReadAccount } from './support.js';

const HOST_RULESET = `table inet plexfw {
  chain input {
    type filter hook input priority filter; policy accept;
    ct state established,related accept
    iifname "lo" accept
    ip saddr 192.168.1.0/24 accept
    tcp dport 32400 drop
  }
}
`;

const LAB = {
  name: 'host-firewall',
  router: { forwards: [forward(32400)] },
  plex: { portMapping: 'manual' as const, manualPort: 32400 },
};

/** Loads the ruleset into the LAN host's namespace with the real nft, then lets plex.tv test the port again. */
async function firewallTheServer(lab: Lab): Promise<void> {
  const file = join(lab.dir, 'host-firewall.nft');
  await writeFile(file, HOST_RULESET);
  const load = await lab.exec('lan', ['nft', '-f', file]);
  if (load.code !== 0) throw new Error(`nft -f failed: ${load.stderr}`);
  await refreshAndReadAccount(lab);
}

/** The CLI as other scenarios run it, optionally as another user (setpriv: no shell, no PAM). */
async function runCliAs(lab: Lab, user?: { uid: number; gid: number }): Promise<CliRun> {
  // Another user gets a home and config directory of its own (root's config file is private to root).
  const own = user ? join(lab.dir, `home-${user.uid}`) : undefined;
  if (own && user) {
    await mkdir(join(own, 'config'), { recursive: true });
    await chown(own, user.uid, user.gid);
    await chown(join(own, 'config'), user.uid, user.gid);
  }
  const env = Object.entries({
    ...cliEnv(lab),
    ...(own ? { HOME: own, PLEX_DIAGNOSE_CONFIG_DIR: join(own, 'config') } : {}),
  }).map(([key, value]) => `${key}=${value}`);
  const asUser = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups'] : [];
  const argv = onPlainHost(lab, [...asUser, '/usr/bin/env', '-i', ...env, ...cliArgv(lab)]);
  const result = await lab.exec('lan', argv, { timeoutMs: 90_000 });
  let report: CliRun['report'];
  try {
    report = JSON.parse(result.stdout) as CliRun['report'];
  } catch {
    report = undefined;
  }
  return { result, ...(report ? { report } : {}), ...(report?.diagnoses[0] ? { top: report.diagnoses[0] } : {}) };
}

type Check = { ruleId: string; status: string; reason?: string };
const checksOf = (run: CliRun): Check[] => (run.report?.checks ?? []) as Check[];

describeLab("lab: the server's own firewall drops 32400 from outside the LAN", () => {
  it('names host-firewall-blocks-port first as root, and "not checked: run as root" as nobody', async () => {
    await withLab(LAB, async (lab) => {
      await firewallTheServer(lab);
      // The network is what the scenario says: the LAN reaches Plex, the internet does not (dropped at the server).
      expect((await lab.http('rtr', { url: `http://${LAN_HOST}:32400/identity` })).status).toBe(200);
      expect((await fromInternet(lab, 32400)).error).toBeDefined();

      const root = await runCliAs(lab);
      expect(root.result.timedOut).toBe(false);
      expect(`${root.result.stdout}\n${root.result.stderr}`).not.toContain(lab.token);
      expect(root.report, summarize(root)).toBeDefined();
      expect(
        checksOf(root).filter((c) => c.status === 'crashed'),
        summarize(root),
      ).toEqual([]);
      expect(root.top, summarize(root)).toMatchObject({
        ruleId: 'host-firewall-blocks-port',
        messageId: 'blocked',
        confidence: 'high',
        rank: 'root-cause',
      });
      expect(root.top!.message, summarize(root)).toContain('inet plexfw input');
      const named = root.report!.diagnoses.map((d) => `${d.ruleId}:${d.rank ?? '?'}`);
      // Whatever else fires is explained by the firewall, never a root cause of its own.
      for (const other of ['isp-blocks-port', 'no-port-forward'])
        expect(
          named.filter((n) => n.startsWith(`${other}:`) && !n.endsWith(':contributing')),
          summarize(root),
        ).toEqual([]);
      expect(root.result.code, summarize(root)).toBe(1);

      const nobody = await runCliAs(lab, { uid: 65534, gid: 65534 });
      expect(nobody.result.timedOut).toBe(false);
      expect(`${nobody.result.stdout}\n${nobody.result.stderr}`).not.toContain(lab.token);
      expect(nobody.report, summarize(nobody)).toBeDefined();
      const crashed = checksOf(nobody).filter((c) => c.status === 'crashed');
      expect(crashed, `${summarize(nobody)}\n${JSON.stringify(crashed)}`).toEqual([]);
      const firewallCheck = checksOf(nobody).find((c) => c.ruleId === 'host-firewall-blocks-port');
      expect(firewallCheck, summarize(nobody)).toMatchObject({
        status: 'not-checked',
        reason: expect.stringMatching(/^run as root to read the firewall/),
      });
      expect(nobody.report!.diagnoses.map((d) => d.ruleId)).not.toContain('host-firewall-blocks-port');
    });
  });
});
