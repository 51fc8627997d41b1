/**
 * Lab self-tests, the server as clients see it: like a real PMS, the fake answers plain HTTP and HTTPS with its
 * `*.<hash>.plex.direct` certificate on the same port (bin/pms-front.mjs), plex.tv lists plex.direct connections, and
 * the CLI's LAN host looks like a plain Linux box (bin/plain-host.sh), with the namespace's own resolver.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { withLab } from './harness/index.js';
import { onPlainHost } from './cli-run.js';
import { describeLab, forward, fromInternet, LAN_HOST, machineIdentifierOf, publishedRecord } from './support.js';

describeLab('lab: plex.direct HTTPS and the plain LAN host', () => {
  it('one port, two protocols: http://192.168.1.10:32400 and https://192-168-1-10.<hash>.plex.direct:32400, trusted through the lab CA', async () => {
    await withLab({ name: 'plex-direct', router: { forwards: [forward(32400)] } }, async (lab) => {
      const hash = lab.plex!.certificateHash!;
      expect(hash).toMatch(/^[0-9a-f]{32}$/);
      expect(existsSync(lab.plex!.caFile!)).toBe(true);

      const plain = await lab.http('lan', { url: `http://${LAN_HOST}:32400/identity` });
      expect(machineIdentifierOf(plain)).toBe(lab.plex!.machineIdentifier);
      // By name, through the LAN resolver (dnsmasq → the plex.direct stand-in), verified against the lab CA only.
      const secure = await lab.http('lan', {
        url: `https://192-168-1-10.${hash}.plex.direct:32400/identity`,
        caFile: lab.plex!.caFile,
      });
      expect(secure.error).toBeUndefined();
      expect(secure.tls).toEqual({ authorized: true, subject: `*.${hash}.plex.direct` });
      expect(machineIdentifierOf(secure)).toBe(lab.plex!.machineIdentifier);
      // Without the lab CA the certificate is not trusted: the trust really comes from that CA.
      const untrusted = await lab.http('lan', { url: `https://192-168-1-10.${hash}.plex.direct:32400/identity` });
      expect(untrusted.error?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
      // From the internet, through the real NAT, both protocols too.
      expect(machineIdentifierOf(await fromInternet(lab, 32400))).toBe(lab.plex!.machineIdentifier);

      const record = await publishedRecord(lab);
      expect(record).toMatchObject({ mappingState: 'mapped', request: { certificateHash: hash } });
      const resources = await lab.http('lan', {
        url: `${lab.plexTvUrl}/api/v2/resources?includeHttps=1`,
        headers: { 'X-Plex-Token': lab.token, Accept: 'application/json' },
      });
      expect(resources.body).toContain(`https://192-168-1-10.${hash}.plex.direct:32400`);
      expect(resources.body).toContain(`https://84-1-1-2.${hash}.plex.direct:32400`);
    });
  });

  it('a server without a certificate publishes plain http connections', async () => {
    await withLab(
      { name: 'no-certificate', plex: { certificateHash: false }, router: { forwards: [forward(32400)] } },
      async (lab) => {
        expect(lab.plex).not.toHaveProperty('caFile');
        const resources = await lab.http('lan', {
          url: `${lab.plexTvUrl}/api/v2/resources`,
          headers: { 'X-Plex-Token': lab.token, Accept: 'application/json' },
        });
        expect(resources.body).toContain('http://192.168.1.10:32400');
        expect(resources.body).not.toContain('plex.direct:32400');
        expect(machineIdentifierOf(await lab.http('lan', { url: `http://${LAN_HOST}:32400/identity` }))).toBe(
          lab.plex!.machineIdentifier,
        );
      },
    );
  });

  it("the plain LAN host: no /.dockerenv, the namespace's resolver, its own interfaces; nothing mounted in the host's namespace", async () => {
    await withLab({ name: 'plain-host', dns: 'rebind-protect', plexTv: false, plex: false }, async (lab) => {
      const script =
        'if [ -e /.dockerenv ]; then echo dockerenv; else echo plain; fi; cat /etc/resolv.conf; ip -br -4 addr show eth0';
      const run = await lab.exec('lan', onPlainHost(lab, ['/bin/sh', '-c', script]));
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^plain\n/);
      expect(run.stdout).toContain('nameserver 192.168.1.1');
      expect(run.stdout).toContain('192.168.1.10/24');
      // The tmpfs root and its bind mounts lived only in that command's mount namespace, never in this one.
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('pd-lab-host-root');
    });
  });
});
