import { describe, expect, it } from 'vitest';
import { readHostFirewall, runTool, type RunTool, type ToolRun } from '../../../../src/probes/host/firewall/index.js';
import { captured } from './fixtures.js';

/** Answers each tool as given; a tool not listed is not installed. */
function tools(answers: Record<string, ToolRun>): RunTool & { calls: string[] } {
  const calls: string[] = [];
  const run: RunTool = async (command, args) => {
    calls.push([command, ...args].join(' '));
    return answers[command] ?? { status: 'not-installed' };
  };
  return Object.assign(run, { calls });
}
const ok = (stdout: string): ToolRun => ({ status: 'ok', stdout });

describe('readHostFirewall', () => {
  it('nft drop: dropped on both families, named by nft, and only read-only commands are run', async () => {
    const run = tools({
      nft: ok(captured('nft-lan-drop.nft.json')),
      'iptables-save': ok(''),
      'ip6tables-save': ok(''),
    });
    const result = await readHostFirewall({ port: 32400, platform: 'linux', run });
    expect(result).toMatchObject({
      checked: true,
      value: {
        ipv4: { verdict: 'dropped', tool: 'nft', baseChain: 'inet filter input' },
        ipv6: { verdict: 'dropped' },
      },
    });
    expect(run.calls).toEqual([
      'nft -j list ruleset',
      'iptables-save -t filter',
      'ip6tables-save -t filter',
      'iptables-legacy-save -t filter',
      'ip6tables-legacy-save -t filter',
      'ufw status verbose',
      'firewall-cmd --state',
    ]);
  });

  it('ufw through iptables-nft: nft sees xt extensions (unknown), iptables-save decides; ufw is named as the front end', async () => {
    const run = tools({
      nft: ok(captured('iptables-ufw-like.nft.json')),
      'iptables-save': ok(captured('iptables-ufw-like.iptables-save.txt')),
      ufw: ok('Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n'),
    });
    const result = await readHostFirewall({ port: 32400, platform: 'linux', run });
    expect(result).toMatchObject({
      checked: true,
      value: { ipv4: { verdict: 'rejected', tool: 'iptables-save' }, frontEnd: 'ufw' },
    });
  });

  it('accepted only when nftables itself was read', async () => {
    const withoutNft = await readHostFirewall({
      port: 32400,
      platform: 'linux',
      run: tools({ 'iptables-save': ok('') }),
    });
    expect(withoutNft).toMatchObject({ checked: true, value: { ipv4: { verdict: 'unknown' } } });
    const withNft = await readHostFirewall({
      port: 32400,
      platform: 'linux',
      run: tools({ nft: ok(captured('empty.nft.json')) }),
    });
    expect(withNft).toMatchObject({ checked: true, value: { ipv4: { verdict: 'accepted' } } });
  });

  it('not root: not checked, saying to run as root', async () => {
    const denied: ToolRun = { status: 'denied', message: 'Operation not permitted (you must be root)' };
    const result = await readHostFirewall({
      port: 32400,
      platform: 'linux',
      run: tools({ nft: denied, 'iptables-save': denied }),
    });
    expect(result).toEqual({
      checked: false,
      reason: 'run as root to read the firewall (nft: Operation not permitted (you must be root))',
    });
  });

  it('no tools: not checked, naming them; other platforms: not checked on this platform', async () => {
    expect(await readHostFirewall({ port: 32400, platform: 'linux', run: tools({}) })).toEqual({
      checked: false,
      reason: 'neither nft nor iptables-save is installed, so the firewall cannot be read',
    });
    const run = tools({});
    expect(await readHostFirewall({ port: 32400, platform: 'darwin', run })).toEqual({
      checked: false,
      reason: 'not checked on this platform (darwin): only Linux firewalls are read',
    });
    expect(run.calls).toEqual([]);
  });

  it('malformed nft output is unknown, not accepted', async () => {
    const result = await readHostFirewall({
      port: 32400,
      platform: 'linux',
      run: tools({ nft: ok('{"nftables": [') }),
    });
    expect(result).toMatchObject({
      checked: true,
      value: { ipv4: { verdict: 'unknown', decidedBy: 'nft -j printed something that is not JSON' } },
    });
  });
});

describe('runTool (real subprocesses)', () => {
  it('a missing tool is not-installed; output past the cap and a timeout are failures, not hangs', async () => {
    expect(await runTool('plex-diagnose-no-such-tool', [], { timeoutMs: 2000 })).toEqual({ status: 'not-installed' });
    const big = await runTool(process.execPath, ['-e', 'process.stdout.write("x".repeat(100000))'], {
      timeoutMs: 10_000,
      maxBytes: 1000,
    });
    expect(big).toMatchObject({ status: 'failed' });
    const slow = await runTool(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 300 });
    expect(slow).toMatchObject({ status: 'failed', message: expect.stringMatching(/did not finish/) });
  });

  it('a permission message is "denied", and the child gets no inherited environment', async () => {
    const denied = await runTool(
      process.execPath,
      ['-e', 'console.error("Operation not permitted (you must be root)"); process.exit(1)'],
      { timeoutMs: 10_000 },
    );
    expect(denied).toEqual({ status: 'denied', message: 'Operation not permitted (you must be root)' });
    process.env.PLEX_DIAGNOSE_SECRET_PROBE = 'should-not-leak';
    try {
      const env = await runTool(process.execPath, ['-e', 'console.log(Object.keys(process.env).sort().join(","))'], {
        timeoutMs: 10_000,
      });
      expect(env).toEqual({ status: 'ok', stdout: 'LC_ALL,PATH\n' });
    } finally {
      delete process.env.PLEX_DIAGNOSE_SECRET_PROBE;
    }
  });
});
