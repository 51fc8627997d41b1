/**
 * The harness's pure parts, without namespaces (these run even where the lab itself is skipped): scenario
 * normalisation and validation, the nft rulesets' content, the socket-table parser, and the janitor's rules for
 * what it may remove.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { homeRouterRuleset, ispRuleset, IGD_CHAIN } from './harness/nft.js';
import { hasSocket } from './harness/processes.js';
import { cleanupStaleLabs, processStartTime, type LabMarker } from './harness/registry.js';
import { addressesOf, normalizeScenario, rolesOf, toolsFor } from './harness/scenario.js';

describe('scenario normalisation', () => {
  it('fills the defaults: public WAN, no UPnP, plain DNS, both fakes, manual port 32400', () => {
    const scenario = normalizeScenario({});
    expect(scenario).toMatchObject({
      wan: 'public',
      dns: 'plain',
      router: { forwards: [], upnp: 'none', upnpSecureMode: true, natpmp: true },
      plex: { portMapping: 'manual', manualPort: 32400 },
      plexTv: { connectBackTimeoutMs: 1000 },
    });
    expect(rolesOf(scenario)).toEqual(['lan', 'rtr', 'isp', 'inet']);
    expect(addressesOf(scenario)).toEqual({
      publicIp: '84.1.1.2',
      routerWanIp: '84.1.1.2',
      serverIp: '192.168.1.10',
      serverLanIp: '192.168.1.10',
    });
  });

  it('derives the roles and addresses of double NAT, CGNAT and the container', () => {
    expect(rolesOf(normalizeScenario({ wan: 'double-nat', container: {} }))).toEqual([
      'lan',
      'rtr',
      'modem',
      'isp',
      'inet',
      'ctr',
    ]);
    expect(addressesOf(normalizeScenario({ wan: 'cgnat' }))).toMatchObject({
      publicIp: '84.0.0.1',
      routerWanIp: '100.64.0.2',
    });
    expect(addressesOf(normalizeScenario({ wan: 'double-nat' }))).toMatchObject({
      publicIp: '84.1.1.2',
      routerWanIp: '10.0.0.2',
    });
    expect(normalizeScenario({ container: { bridge: '10.88.7.0/24' } }).container).toEqual({
      bridge: '10.88.7.0/24',
      hostAddress: '10.88.7.1',
      serverAddress: '10.88.7.2',
      prefixLength: 24,
      publish: [32400],
    });
    expect(addressesOf(normalizeScenario({ container: {} })).serverIp).toBe('172.17.0.2');
  });

  it('gives the Plex server a plex.direct certificate hash, fresh per lab, unless told otherwise', () => {
    const first = normalizeScenario({}).plex;
    const second = normalizeScenario({}).plex;
    expect(first && first.certificateHash).toMatch(/^[0-9a-f]{32}$/);
    expect(first && first.certificateHash).not.toBe(second && second.certificateHash);
    expect(normalizeScenario({ plex: { certificateHash: 'ab'.repeat(16) } }).plex).toMatchObject({
      certificateHash: 'ab'.repeat(16),
    });
    expect(normalizeScenario({ plex: { certificateHash: false } }).plex).toMatchObject({ certificateHash: false });
  });

  it('refuses what would end up malformed in an nft rule or a config file', () => {
    expect(() =>
      normalizeScenario({
        router: {
          forwards: [{ externalPort: 32400, internalHost: '192.168.1.10; flush ruleset', internalPort: 32400 }],
        },
      }),
    ).toThrow(/IPv4 internalHost/);
    expect(() =>
      normalizeScenario({
        router: { forwards: [{ externalPort: 0, internalHost: '192.168.1.10', internalPort: 32400 }] },
      }),
    ).toThrow(/ports 1-65535/);
    expect(() =>
      normalizeScenario({ modem: { forwards: [{ externalPort: 1, internalHost: '10.0.0.2', internalPort: 1 }] } }),
    ).toThrow(/double-nat/);
    expect(() => normalizeScenario({ container: { bridge: '172.17.0.0' } })).toThrow(/CIDR/);
    expect(() => normalizeScenario({ router: { upnpExternalIp: 'public' } })).toThrow(/IPv4/);
    expect(() => normalizeScenario({ plex: { certificateHash: '/CN=evil' } })).toThrow(/32 lowercase hex/);
  });

  it('names the extra binaries a scenario needs', () => {
    expect(toolsFor({ dns: 'none', plex: false })).toEqual([]);
    expect(toolsFor({ router: { upnp: 'miniupnpd' }, plex: { certificateHash: false } })).toEqual([
      'miniupnpd',
      'dnsmasq',
    ]);
    expect(toolsFor({ router: { upnp: 'consumer-igd' }, dns: 'none' })).toEqual(['openssl']);
  });
});

describe('nft rulesets', () => {
  it('home router: static DNAT on wan0, then the IGD and miniupnpd chains, masquerade out, forward only what is allowed', () => {
    const rules = homeRouterRuleset([{ externalPort: 40123, internalHost: '192.168.1.10', internalPort: 32400 }]);
    expect(rules).toContain('iifname "wan0" tcp dport 40123 dnat ip to 192.168.1.10:32400');
    expect(rules.indexOf('dport 40123')).toBeLessThan(rules.indexOf(`jump ${IGD_CHAIN}`));
    for (const chain of ['miniupnpd', 'prerouting_miniupnpd', 'postrouting_miniupnpd', IGD_CHAIN])
      expect(rules).toContain(`chain ${chain} {`);
    expect(rules).toContain('policy drop;');
    expect(rules).toContain('oifname "wan0" masquerade');
  });

  it('ISP: drop is silent, reject is a TCP reset, CGNAT masquerades the shared space; nothing at all by default', () => {
    const rules = ispRuleset(
      normalizeScenario({
        wan: 'cgnat',
        isp: {
          block: [
            { port: 32400, action: 'drop' },
            { port: 8443, action: 'reject' },
            { port: 1900, action: 'reject', protocol: 'udp' },
          ],
        },
      }),
    );
    expect(rules).toContain('oifname "cust0" tcp dport 32400 counter drop');
    expect(rules).toContain('oifname "cust0" tcp dport 8443 counter reject with tcp reset');
    expect(rules).toContain('oifname "cust0" udp dport 1900 counter reject');
    expect(rules).toContain('ip saddr 100.64.0.0/10 masquerade');
    expect(ispRuleset(normalizeScenario({}))).toBe('');
  });
});

describe('socket table parsing (/proc/net/tcp, udp)', () => {
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  // 0101A8C0 = 192.168.1.1 and 0A01A8C0 = 192.168.1.10 in little-endian host order; 0x7D00 = 32000, 0x1388 = 5000.
  const tcp =
    header +
    '   0: 0101A8C0:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n' +
    '   1: 0A01A8C0:7D00 0101A8C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1\n' +
    '   2: 00000000:7E90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0\n';

  it('finds listening sockets on the address or the wildcard, not established ones', () => {
    expect(hasSocket(tcp, '192.168.1.1', 5000, 'tcp')).toBe(true);
    expect(hasSocket(tcp, '192.168.1.10', 5000, 'tcp')).toBe(false);
    expect(hasSocket(tcp, '192.168.1.10', 32400, 'tcp')).toBe(true);
    expect(hasSocket(tcp, '192.168.1.10', 32000, 'tcp')).toBe(false);
  });

  it('takes any bound UDP socket, and the IPv6 wildcard for IPv4', () => {
    const udp = `${header}  12: 0101A8C0:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4 2 0\n`;
    expect(hasSocket(udp, '192.168.1.1', 53, 'udp')).toBe(true);
    const tcp6 = `${header}   0: 00000000000000000000000000000000:7D64 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 5 1 0\n`;
    expect(hasSocket(tcp6, '203.0.113.50', 32100, 'tcp')).toBe(true);
  });
});

describe('the janitor only removes labs with our prefix, our marker and a dead owner', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function fakeLab(prefix: string, change: Partial<LabMarker> = {}, withMarker = true): void {
    const dir = join(root, prefix);
    mkdirSync(dir);
    // Namespace names that do not exist: the janitor's `ip netns del` is never reached for them.
    const marker: LabMarker = {
      prefix,
      dir,
      namespaces: [`${prefix}-lan`],
      ownerPid: process.pid,
      ownerStartTime: processStartTime(process.pid) ?? '',
      createdAt: '',
      ...change,
    };
    if (withMarker) writeFileSync(join(dir, 'lab.json'), JSON.stringify(marker));
  }

  it("removes the dead owner's lab and leaves the others alone", () => {
    root = mkdtempSync(join(tmpdir(), 'pd-janitor-'));
    fakeLab('pdde4d1', { ownerStartTime: 'a reused pid' });
    fakeLab('pdl1ve1');
    fakeLab('pdn0mrk', { ownerStartTime: 'x' }, false);
    fakeLab('pdf0rgn', { ownerStartTime: 'x', namespaces: ['someone-elses-ns'] });
    fakeLab('other', { ownerStartTime: 'x' });
    expect(cleanupStaleLabs(root)).toEqual(['pdde4d1']);
    expect(readdirSync(root).sort()).toEqual(['other', 'pdf0rgn', 'pdl1ve1', 'pdn0mrk']);
  });
});
