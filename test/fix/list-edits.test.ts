import { describe, expect, it } from 'vitest';
import { applyListEdits, splitList } from '../../src/fix/list-edits.js';
import { planFix } from '../../src/fix/plan.js';
import { diagnosis, prefs, report, setPref } from './helpers.js';

const current = prefs([
  { id: 'customConnections', type: 'text', value: 'https://plex.example.com', label: 'Custom server access URLs' },
  { id: 'allowedNetworks', type: 'text', value: '192.168.1.0/24,0.0.0.0/0' },
  { id: 'LanNetworksBandwidth', type: 'text', value: '' },
]);

describe('list edits', () => {
  it('split, remove, replace and add in order, without duplicates', () => {
    expect(splitList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(
      applyListEdits(
        ['a', 'b', 'x'],
        [{ type: 'edit-list', pref: 'p', remove: ['x'], replace: [{ from: 'b', to: 'b2' }], add: ['a', 'c'] }],
      ),
    ).toEqual(['a', 'b2', 'c']);
  });

  it('compose two findings on customConnections into one change instead of a conflict', () => {
    // The Docker finding appends the LAN URL; the custom-URL finding adds the missing port to the existing entry.
    const plan = planFix(
      report([
        diagnosis(
          'container-address-advertised',
          'root-cause',
          [{ type: 'edit-list', pref: 'customConnections', add: ['http://192.168.1.10:32400'] }],
          'container address',
        ),
        diagnosis(
          'custom-url-problem',
          'root-cause',
          [
            {
              type: 'edit-list',
              pref: 'customConnections',
              replace: [{ from: 'https://plex.example.com', to: 'https://plex.example.com:443' }],
            },
          ],
          'no port',
        ),
      ]),
      current,
    );
    expect(plan.skipped).toEqual([]);
    expect(plan.changes).toEqual([
      {
        pref: 'customConnections',
        label: 'Custom server access URLs',
        from: 'https://plex.example.com',
        to: 'https://plex.example.com:443,http://192.168.1.10:32400',
        ruleIds: ['container-address-advertised', 'custom-url-problem'],
        reasons: ['container address', 'no port'],
      },
    ]);
  });

  it('two findings removing the same entry compose; an edit that changes nothing is already set', () => {
    const remove = { type: 'edit-list' as const, pref: 'allowedNetworks', remove: ['0.0.0.0/0', '::/0'] };
    const plan = planFix(
      report([
        diagnosis('a', 'root-cause', [remove]),
        diagnosis('b', 'root-cause', [remove]),
        diagnosis('c', 'root-cause', [{ type: 'edit-list', pref: 'LanNetworksBandwidth', remove: ['10.0.0.0/8'] }]),
      ]),
      current,
    );
    expect(plan.changes.map((c) => [c.pref, c.to, c.ruleIds])).toEqual([
      ['allowedNetworks', '192.168.1.0/24', ['a', 'b']],
    ]);
    expect(plan.skipped.map((s) => [s.pref, s.kind])).toEqual([['LanNetworksBandwidth', 'already-set']]);
  });

  it('an edit and a whole-value set of the same list conflict', () => {
    const plan = planFix(
      report([
        diagnosis('a', 'root-cause', [
          { type: 'edit-list', pref: 'customConnections', add: ['http://192.168.1.10:32400'] },
        ]),
        diagnosis('b', 'root-cause', [setPref('customConnections', '')]),
      ]),
      current,
    );
    expect(plan.changes).toEqual([]);
    expect(plan.skipped.map((s) => s.kind)).toEqual(['conflict', 'conflict']);
  });
});
