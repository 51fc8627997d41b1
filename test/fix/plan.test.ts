import { describe, expect, it } from 'vitest';
import { FixPlan, planFix } from '../../src/fix/plan.js';
import { samePrefValue } from '../../src/fix/values.js';
import { diagnosis, prefs, report, setPref } from './helpers.js';

const current = prefs([
  { id: 'MachineIdentifier', type: 'text', value: 'abc123' },
  { id: 'ManualPortMappingMode', type: 'bool', value: false },
  { id: 'ManualPortMappingPort', type: 'int', value: 32400, default: 32400 },
  { id: 'RelayEnabled', type: 'bool', value: true, label: 'Enable Relay' },
  { id: 'customConnections', type: 'text', value: '', label: 'Custom server access URLs' },
  { id: 'secureConnections', type: 'int', value: 1, label: 'Secure connections' },
  { id: 'customCertificateKey', type: 'text', value: 'REDACTED' },
]);

describe('planFix', () => {
  it('merges identical asks (by the pref type: "1" and true) and keeps every rule that asked, root causes first', () => {
    const plan = planFix(
      report([
        diagnosis('manual-port-mismatch', 'contributing', [setPref('ManualPortMappingMode', '1')], 'port mismatch'),
        diagnosis(
          'isp-blocks-port',
          'root-cause',
          [setPref('ManualPortMappingMode', true), setPref('ManualPortMappingPort', 443)],
          'ISP blocks 32400',
        ),
      ]),
      current,
    );
    expect(plan.changes).toEqual([
      {
        pref: 'ManualPortMappingMode',
        from: false,
        to: true,
        ruleIds: ['isp-blocks-port', 'manual-port-mismatch'],
        reasons: ['ISP blocks 32400', 'port mismatch'],
      },
      {
        pref: 'ManualPortMappingPort',
        from: 32400,
        to: 443,
        ruleIds: ['isp-blocks-port'],
        reasons: ['ISP blocks 32400'],
      },
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('drops no-ops: "32400" for an int pref at 32400 and false for a bool pref at "0" are already set', () => {
    const plan = planFix(
      report([
        diagnosis('a', 'root-cause', [
          setPref('ManualPortMappingPort', '32400'),
          setPref('ManualPortMappingMode', '0'),
          setPref('RelayEnabled', 0),
        ]),
      ]),
      current,
    );
    expect(plan.changes).toEqual([
      { pref: 'RelayEnabled', label: 'Enable Relay', from: true, to: false, ruleIds: ['a'], reasons: ['a fired'] },
    ]);
    expect(plan.skipped.map((s) => [s.pref, s.kind])).toEqual([
      ['ManualPortMappingPort', 'already-set'],
      ['ManualPortMappingMode', 'already-set'],
    ]);
  });

  it('reports a conflict with both reasons and applies neither value', () => {
    const plan = planFix(
      report([
        diagnosis('isp-blocks-port', 'root-cause', [setPref('ManualPortMappingPort', 443)], 'ISP blocks 32400'),
        diagnosis(
          'forward-mismatch',
          'contributing',
          [setPref('ManualPortMappingPort', 32401)],
          'the router forwards 32401',
        ),
        diagnosis('relay', 'info', [setPref('RelayEnabled', false)]),
      ]),
      current,
    );
    expect(plan.changes.map((c) => c.pref)).toEqual(['RelayEnabled']);
    const conflicts = plan.skipped.filter((s) => s.kind === 'conflict');
    expect(conflicts.map((s) => [s.pref, s.to, s.ruleIds])).toEqual([
      ['ManualPortMappingPort', 443, ['isp-blocks-port']],
      ['ManualPortMappingPort', 32401, ['forward-mismatch']],
    ]);
    for (const conflict of conflicts) {
      expect(conflict.reason).toContain('ISP blocks 32400');
      expect(conflict.reason).toContain('the router forwards 32401');
    }
  });

  it('refuses prefs the server does not list, secret prefs and values of the wrong type', () => {
    const plan = planFix(
      report([
        diagnosis('a', 'root-cause', [
          setPref('DisableRemoteSecurity', true),
          setPref('customCertificateKey', 'hunter2'),
          setPref('ManualPortMappingPort', 'four-four-three'),
          setPref('ManualPortMappingMode', 'maybe'),
        ]),
      ]),
      current,
    );
    expect(plan.changes).toEqual([]);
    expect(plan.skipped.map((s) => [s.pref, s.kind])).toEqual([
      ['DisableRemoteSecurity', 'unknown-pref'],
      ['customCertificateKey', 'secret-pref'],
      ['ManualPortMappingPort', 'invalid-value'],
      ['ManualPortMappingMode', 'invalid-value'],
    ]);
    expect(plan.skipped[0]!.reason).toContain('does not list');
  });

  it('takes the machineIdentifier from the report target, else from the MachineIdentifier pref', () => {
    expect(planFix(report([], 'from-target'), current).machineIdentifier).toBe('from-target');
    expect(planFix(report([]), current).machineIdentifier).toBe('abc123');
    expect(planFix(report([]), prefs([])).machineIdentifier).toBeUndefined();
  });

  it('keeps a text change to "" exact and the plan survives JSON and its schema unchanged', () => {
    const withUrl = prefs([{ id: 'customConnections', type: 'text', value: 'http://10.0.0.5:32400' }]);
    const plan = planFix(
      report([diagnosis('docker-bridge', 'root-cause', [setPref('customConnections', '')])], 'm'),
      withUrl,
    );
    expect(plan.changes).toEqual([
      {
        pref: 'customConnections',
        from: 'http://10.0.0.5:32400',
        to: '',
        ruleIds: ['docker-bridge'],
        reasons: ['docker-bridge fired'],
      },
    ]);
    expect(FixPlan.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });
});

describe('samePrefValue', () => {
  it.each([
    ['bool', '1', true, true],
    ['bool', 'true', 1, true],
    ['bool', '0', true, false],
    ['int', '32400', 32400, true],
    ['int', ' 443', 443, true],
    ['int', 443, 32400, false],
    ['text', '', '', true],
    ['text', '', ' ', false],
    [undefined, true, '1', true],
  ] as const)('%s: %j vs %j → %s', (type, a, b, same) => {
    expect(samePrefValue(type, a, b)).toBe(same);
  });
});
