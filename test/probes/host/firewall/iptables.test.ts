import { describe, expect, it } from 'vitest';
import { evaluateIptables, parseIptablesSave, splitWords } from '../../../../src/probes/host/firewall/iptables.js';
import { captured, toPlex } from './fixtures.js';

const save = (lines: string[], policy = 'ACCEPT') =>
  [
    '*filter',
    `:INPUT ${policy} [0:0]`,
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':user - [0:0]',
    ...lines,
    'COMMIT',
    '',
  ].join('\n');

describe('evaluateIptables on captured iptables-save output', () => {
  it('LAN accepted, then --dport 32400 DROP: dropped, naming the rule', () => {
    expect(evaluateIptables(captured('iptables-lan-drop.iptables-save.txt'), toPlex())).toEqual({
      verdict: 'dropped',
      baseChain: 'INPUT',
      decidedBy: '-A INPUT -p tcp -m tcp --dport 32400 -j DROP',
    });
  });

  it("ufw's chains: policy DROP, user chains, multiport, a final REJECT: rejected", () => {
    expect(evaluateIptables(captured('iptables-ufw-like.iptables-save.txt'), toPlex())).toMatchObject({
      verdict: 'rejected',
      decidedBy: '-A ufw-reject-input -p tcp -j REJECT --reject-with tcp-reset',
    });
    expect(
      evaluateIptables(captured('iptables-ufw-like.iptables-save.txt'), { ...toPlex(), port: 8080 }),
    ).toMatchObject({
      verdict: 'accepted',
    });
  });

  it('multiport range into a user chain that accepts; a port the chain returns falls to policy DROP', () => {
    expect(evaluateIptables(captured('iptables-allow-plex.iptables-save.txt'), toPlex()).verdict).toBe('accepted');
    expect(
      evaluateIptables(captured('iptables-allow-plex.iptables-save.txt'), { ...toPlex(), port: 32405 }),
    ).toMatchObject({
      verdict: 'dropped',
      decidedBy: 'filter INPUT policy drop',
    });
  });

  it('ip6tables-save: REJECT with tcp-reset after the ULA range is accepted', () => {
    expect(evaluateIptables(captured('ip6tables-drop.ip6tables-save.txt'), toPlex(6)).verdict).toBe('rejected');
  });

  it("iptables-nft's warning that the table has chains it cannot print: unknown, not the accept it would show", () => {
    expect(evaluateIptables(captured('nft-goto-limit.iptables-save.txt'), toPlex())).toMatchObject({
      verdict: 'unknown',
    });
  });

  it('no filter table (nothing loaded): accepted', () => {
    expect(evaluateIptables(captured('empty.iptables-save.txt'), toPlex()).verdict).toBe('accepted');
  });
});

describe('evaluateIptables: options', () => {
  it.each([
    [['-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp --dport 32400 -j DROP'], 'dropped'],
    [['-A INPUT ! -s 192.168.1.0/24 -p tcp --dport 32400 -j DROP'], 'dropped'],
    [['-A INPUT -s 192.168.1.0/255.255.255.0 -j ACCEPT', '-A INPUT -j DROP'], 'dropped'],
    [['-A INPUT -p udp --dport 32400 -j DROP'], 'accepted'],
    [['-A INPUT -p tcp -m tcp --syn --dport 32400 -j REJECT'], 'rejected'],
    [['-A INPUT -m conntrack --ctstate NEW -p tcp --dport 32400 -j DROP'], 'dropped'],
    [['-A INPUT -m conntrack ! --ctstate NEW -j DROP'], 'accepted'],
    [['-A INPUT -m set --match-set banned src -j DROP'], 'unknown'],
    [['-A INPUT -p tcp --dport 32400 -j NFQUEUE'], 'unknown'],
    [
      ['-A INPUT -p tcp --dport 32400 -j LOG --log-prefix "plex in"', '-A INPUT -p tcp --dport 32400 -j DROP'],
      'dropped',
    ],
    [['-A INPUT -j user', '-A user -p tcp --dport 32400 -j RETURN', '-A user -j DROP'], 'accepted'],
    [['-A INPUT -g user', '-A user -p tcp --dport 32400 -j RETURN', '-A INPUT -j DROP'], 'accepted'],
    [['-A INPUT -i eth0 -p tcp --dport 32400 -j DROP'], 'unknown'],
    [['-A INPUT -p tcp --dport 32400 -m comment --comment "a \\"quoted\\" note" -j DROP'], 'dropped'],
  ])('%j → %s', (lines, verdict) => {
    expect(evaluateIptables(save(lines), toPlex()).verdict).toBe(verdict);
  });

  it('the interface is decided once known', () => {
    const text = save(['-A INPUT -i eth+ -p tcp --dport 32400 -j DROP']);
    expect(evaluateIptables(text, toPlex(4, 'eth0')).verdict).toBe('dropped');
    expect(evaluateIptables(text, toPlex(4, 'wlan0')).verdict).toBe('accepted');
  });

  it('policy DROP with nothing else: dropped by the policy', () => {
    expect(evaluateIptables(save([], 'DROP'), toPlex())).toMatchObject({
      verdict: 'dropped',
      decidedBy: 'filter INPUT policy drop',
    });
  });

  it('garbage is skipped without throwing; a jump loop is unknown', () => {
    expect(() => parseIptablesSave('\u0000\n*filter\n-A\n:X\nCOMMIT\n-A INPUT -j DROP')).not.toThrow();
    expect(evaluateIptables(save(['-A INPUT -j user', '-A user -j user']), toPlex()).verdict).toBe('unknown');
  });

  it('splits quoted words as iptables-save writes them', () => {
    expect(splitWords('-m comment --comment "a \\"b\\" c" -j ACCEPT')).toEqual([
      '-m',
      'comment',
      '--comment',
      'a "b" c',
      '-j',
      'ACCEPT',
    ]);
  });
});
