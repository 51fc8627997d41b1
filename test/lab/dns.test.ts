/**
 * Lab self-tests, DNS: the LAN's system resolver is the router's dnsmasq (via /etc/netns/<lan>/resolv.conf), which
 * forwards plex.direct to the stand-in; with --stop-dns-rebind the private answers disappear, the public ones stay.
 */
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { withLab, type Lab } from './harness/index.js';
import { describeLab } from './support.js';

const HASH = '0123456789abcdef0123456789abcdef';
const PRIVATE_NAME = `192-168-1-10.${HASH}.plex.direct`;
const PUBLIC_NAME = `84-1-1-2.${HASH}.plex.direct`;

interface LookupOutput {
  addresses?: string[];
  error?: { code: string };
}
const lookup = (lab: Lab, name: string, role: 'lan' | 'ctr' = 'lan'): Promise<LookupOutput> =>
  lab.tool<LookupOutput>(role, 'lookup.mjs', [name]);

describeLab('lab: the LAN resolver and DNS rebinding protection', () => {
  it('plain: the LAN resolves private and public plex.direct names to their encoded addresses', async () => {
    await withLab({ name: 'dns-plain', dns: 'plain', plex: false }, async (lab) => {
      expect(existsSync(`/etc/netns/${lab.namespace('lan')}/resolv.conf`)).toBe(true);
      expect(await lookup(lab, PRIVATE_NAME)).toEqual({ addresses: ['192.168.1.10'] });
      expect(await lookup(lab, PUBLIC_NAME)).toEqual({ addresses: ['84.1.1.2'] });
    });
  });

  it('rebind-protect: the private name gets no answer, the public one still resolves', async () => {
    await withLab({ name: 'dns-rebind', dns: 'rebind-protect', plex: false }, async (lab) => {
      const blocked = await lookup(lab, PRIVATE_NAME);
      expect(blocked.addresses).toBeUndefined();
      // getaddrinfo turns dnsmasq's NOERROR-without-records into ENOTFOUND (docs/reference/netlab.md addendum).
      expect(blocked.error?.code).toBe('ENOTFOUND');
      expect(await lookup(lab, PUBLIC_NAME)).toEqual({ addresses: ['84.1.1.2'] });
      const dnsmasqLog = await lab.exec('rtr', ['cat', `${lab.dir}/dnsmasq.log`]);
      expect(dnsmasqLog.stdout).toMatch(/possible DNS-rebind attack detected: 192-168-1-10/);
    });
  });

  it('none: no resolv.conf is written for the lab', async () => {
    await withLab({ name: 'dns-none', dns: 'none', plex: false, plexTv: false }, async (lab) => {
      expect(existsSync(`/etc/netns/${lab.namespace('lan')}`)).toBe(false);
    });
  });
});
