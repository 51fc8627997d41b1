import { describe, expect, it } from 'vitest';
import { evaluateNft, NftJsonError, parseNftJson } from '../../../../src/probes/host/firewall/nft.js';
import { captured, toPlex } from './fixtures.js';

const nft = (name: string) => parseNftJson(captured(`${name}.nft.json`));

/** A ruleset built in the JSON shape nft prints, for the cases no real ruleset is worth loading for. */
function ruleset(rules: unknown[][], policy = 'accept', extra: object[] = []): ReturnType<typeof parseNftJson> {
  return parseNftJson(
    JSON.stringify({
      nftables: [
        { chain: { family: 'inet', table: 't', name: 'input', type: 'filter', hook: 'input', prio: 0, policy } },
        ...extra,
        ...rules.map((expr, handle) => ({ rule: { family: 'inet', table: 't', chain: 'input', handle, expr } })),
      ],
    }),
  );
}
const dport = (right: unknown) => ({
  match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right },
});

describe('evaluateNft on captured rulesets', () => {
  it('LAN accepted, then tcp dport 32400 drop: dropped for an internet source, on v4 and v6 (inet)', () => {
    expect(evaluateNft(nft('nft-lan-drop'), toPlex(4))).toEqual({
      verdict: 'dropped',
      baseChain: 'inet filter input',
      decidedBy: 'inet filter input handle 5',
    });
    expect(evaluateNft(nft('nft-lan-drop'), toPlex(6)).verdict).toBe('dropped');
  });

  it('policy drop, a LAN set, a jump to a chain rejecting a port range: rejected there', () => {
    expect(evaluateNft(nft('nft-policy-drop-sets'), toPlex(4))).toMatchObject({
      verdict: 'rejected',
      decidedBy: 'inet fw services handle 13',
    });
  });

  it('a port allowed in a set with ct state new: accepted, and another table on the same hook runs after it', () => {
    expect(evaluateNft(nft('nft-policy-drop-allow-plex'), toPlex(4))).toMatchObject({ verdict: 'accepted' });
    expect(evaluateNft(nft('nft-policy-drop-allow-plex'), { ...toPlex(4), port: 32401 })).toMatchObject({
      verdict: 'dropped',
      decidedBy: 'inet fw input policy drop',
    });
  });

  it('goto by interface and a rate limit: decided when the interface is known and leads past the limit, else unknown', () => {
    expect(evaluateNft(nft('nft-goto-limit'), toPlex(4, 'eth0'))).toMatchObject({
      verdict: 'accepted',
      decidedBy: 'ip filter from_lan handle 6',
    });
    expect(evaluateNft(nft('nft-goto-limit'), toPlex(4, 'eth1')).verdict).toBe('unknown');
    expect(evaluateNft(nft('nft-goto-limit'), toPlex(4)).verdict).toBe('unknown');
    expect(evaluateNft(nft('nft-goto-limit'), toPlex(6)).verdict).toBe('accepted'); // an ip table: IPv4 only
  });

  it('iptables-nft rules with xt extensions are unknown, never accepted', () => {
    expect(evaluateNft(nft('iptables-lan-drop'), toPlex(4)).verdict).toBe('unknown');
    expect(evaluateNft(nft('iptables-ufw-like'), toPlex(4)).verdict).toBe('unknown');
  });

  it('an empty ruleset accepts', () => {
    expect(evaluateNft(nft('empty'), toPlex(4))).toEqual({ verdict: 'accepted', decidedBy: 'no base chain' });
  });
});

describe('evaluateNft: the shapes a real host firewall uses', () => {
  it('udp dport != 53 never matches a TCP packet, whatever the operator', () => {
    const rules = ruleset([
      [{ match: { op: '!=', left: { payload: { protocol: 'udp', field: 'dport' } }, right: 53 } }, { drop: null }],
    ]);
    expect(evaluateNft(rules, toPlex()).verdict).toBe('accepted');
  });

  it('a vmap on the port', () => {
    const vmap = {
      vmap: {
        key: { payload: { protocol: 'tcp', field: 'dport' } },
        data: {
          set: [
            [22, { accept: null }],
            [32400, { drop: null }],
          ],
        },
      },
    };
    expect(evaluateNft(ruleset([[vmap]]), toPlex()).verdict).toBe('dropped');
    expect(evaluateNft(ruleset([[vmap]]), { ...toPlex(), port: 1 }).verdict).toBe('accepted');
  });

  it('ip saddr != LAN drop: dropped; an allow-list of one office then policy drop: dropped for viewers in general', () => {
    const notLan = {
      match: {
        op: '!=',
        left: { payload: { protocol: 'ip', field: 'saddr' } },
        right: { prefix: { addr: '192.168.0.0', len: 16 } },
      },
    };
    expect(evaluateNft(ruleset([[notLan, { drop: null }]]), toPlex()).verdict).toBe('dropped');
    const office = {
      match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '198.51.100.7' },
    };
    expect(evaluateNft(ruleset([[office, { accept: null }]], 'drop'), toPlex()).verdict).toBe('dropped');
  });

  it('a source range wider than /8 is unknown', () => {
    const half = {
      match: {
        op: '==',
        left: { payload: { protocol: 'ip', field: 'saddr' } },
        right: { prefix: { addr: '0.0.0.0', len: 1 } },
      },
    };
    expect(evaluateNft(ruleset([[half, { accept: null }]], 'drop'), toPlex()).verdict).toBe('unknown');
  });

  it('an unknown match before a drop: unknown; an unknown statement after the verdict is never reached', () => {
    const fib = { match: { op: '==', left: { fib: { result: 'type', flags: ['daddr'] } }, right: 'local' } };
    expect(evaluateNft(ruleset([[fib, dport(32400), { drop: null }]]), toPlex())).toMatchObject({ verdict: 'unknown' });
    expect(
      evaluateNft(ruleset([[dport(32400), { accept: null }, { somethingNew: {} }]], 'drop'), toPlex()).verdict,
    ).toBe('accepted');
  });

  it('an unknown match that cannot change the outcome does not make it unknown', () => {
    const mark = { match: { op: '==', left: { meta: { key: 'mark' } }, right: 1 } };
    expect(
      evaluateNft(
        ruleset([
          [mark, { drop: null }],
          [dport(32400), { drop: null }],
        ]),
        toPlex(),
      ).verdict,
    ).toBe('dropped');
  });

  it('an unknown statement (queue to user space) is unknown, never accepted', () => {
    expect(evaluateNft(ruleset([[dport(32400), { queue: { num: 1 } }]]), toPlex()).verdict).toBe('unknown');
  });

  it('a jump loop, a jump to a missing chain: unknown', () => {
    const loop = parseNftJson(
      JSON.stringify({
        nftables: [
          {
            chain: { family: 'ip', table: 't', name: 'input', type: 'filter', hook: 'input', prio: 0, policy: 'drop' },
          },
          { chain: { family: 'ip', table: 't', name: 'a' } },
          { rule: { family: 'ip', table: 't', chain: 'input', handle: 1, expr: [{ jump: { target: 'a' } }] } },
          { rule: { family: 'ip', table: 't', chain: 'a', handle: 2, expr: [{ jump: { target: 'a' } }] } },
        ],
      }),
    );
    expect(evaluateNft(loop, toPlex()).verdict).toBe('unknown');
    expect(evaluateNft(ruleset([[{ jump: { target: 'missing' } }]]), toPlex()).verdict).toBe('unknown');
  });

  it('a huge ruleset of unknown matches ends as unknown within its budget instead of forking forever', () => {
    const mark = (n: number) => ({ match: { op: '==', left: { meta: { key: 'mark' } }, right: n } });
    const rules = Array.from({ length: 5000 }, (_, n) => [
      mark(n),
      n % 2 ? { accept: null } : { jump: { target: 'input' } },
    ]);
    expect(evaluateNft(ruleset(rules), toPlex(), 50_000).verdict).toBe('unknown');
  });

  it('a large ruleset of decidable rules is still decided', () => {
    const rules = Array.from({ length: 20_000 }, (_, n) => [dport(40_000 + n), { accept: null }]);
    expect(evaluateNft(ruleset([...rules, [dport(32400), { drop: null }]]), toPlex()).verdict).toBe('dropped');
  });
});

describe('parseNftJson', () => {
  it('rejects what is not nft JSON with a typed error', () => {
    for (const text of ['', '{', 'null', '{"nftables": 1}', '[1,2]', 'Error: syntax error'])
      expect(() => parseNftJson(text)).toThrow(NftJsonError);
  });

  it('tolerates junk entries and malformed rules (they count as unknown, not accepted)', () => {
    const objects = parseNftJson(
      JSON.stringify({
        nftables: [
          1,
          {
            chain: {
              family: 'inet',
              table: 't',
              name: 'input',
              type: 'filter',
              hook: 'input',
              prio: 0,
              policy: 'drop',
            },
          },
          { rule: { family: 'inet', table: 't', chain: 'input', handle: 1, expr: ['junk', { accept: null }] } },
        ].filter((o) => typeof o === 'object'),
      }),
    );
    expect(evaluateNft(objects, toPlex()).verdict).toBe('unknown');
  });
});
