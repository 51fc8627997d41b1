import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/diagnose/diagnose.js';
import type { PathHop } from '../../src/core/report.js';
import { builtinRules } from '../../src/rules/builtin/index.js';
import { defineRule } from '../../src/rules/define-rule.js';
import {
  accountValue,
  buildSnapshot,
  healthyObservations,
  ok,
  upnpValue,
  deviceValue,
  resourcesValue,
  HOME,
} from '../../src/testing/observations.js';

describe('describePath', () => {
  it('draws a healthy path without marks', () => {
    const report = analyze(buildSnapshot());
    expect(report.path?.hops.map((h) => [h.kind, h.detail, h.status])).toEqual([
      ['server', '192.168.1.10:32400', 'ok'],
      ['router', 'LAN 192.168.1.1 · WAN 84.1.1.2', 'ok'],
      ['public', '84.1.1.2:32400 (as plex.tv sees it)', 'ok'],
      ['internet', 'plex.tv check: mapped', 'ok'],
    ]);
  });

  it('inserts the carrier-grade NAT hop and marks it as the broken one', () => {
    const o = healthyObservations();
    o['probe.upnp'] = ok(upnpValue({ externalIp: '100.64.0.2' }));
    o['server.account'] = ok(
      accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
    );
    const hops = analyze(buildSnapshot(o)).path!.hops;
    expect(hops.map((h) => h.kind)).toEqual(['server', 'router', 'upstream-nat', 'public', 'internet']);
    expect(hops[2]).toMatchObject({ label: 'Carrier-grade NAT (ISP)', status: 'broken' });
    // mapping-failed is explained by cgnat: its hop is a warning, not a second break.
    expect(hops[4]!.status).toBe('warning');
  });

  it('shows a container bridge when the server advertises a container address', () => {
    const o = healthyObservations();
    o['plextv.resources'] = ok(
      resourcesValue(deviceValue({ connections: [{ address: '172.17.0.2', local: true }, { address: HOME.wan }] })),
    );
    expect(analyze(buildSnapshot(o)).path!.hops.map((h) => h.kind)).toContain('container-bridge');
  });

  it('draws nothing when the server was not even asked', () => {
    const o = healthyObservations();
    delete o['server.identity'];
    expect(analyze(buildSnapshot(o)).path).toBeUndefined();
  });

  it("marks the hop a rule's meta names, for a user rule too; a rule without a hop leaves the picture alone", () => {
    const userRule = (id: string, hop?: PathHop['kind']) =>
      defineRule({
        id,
        meta: {
          severity: 'error',
          category: 'acme',
          title: 'The ISP router is in bridge mode',
          ...(hop ? { hop } : {}),
          requires: [],
          messages: { routed: 'The ISP router routes.' },
        },
        evaluate: (ctx) =>
          ctx.report({ messageId: 'routed', evidence: [{ source: 'acme', observed: 'routed' }], confidence: 'high' }),
      });
    const marked = analyze(buildSnapshot(), { rules: [...builtinRules, userRule('acme/bridge-mode', 'router')] });
    expect(marked.path!.hops.find((h) => h.kind === 'router')).toMatchObject({
      status: 'broken',
      note: 'acme/bridge-mode',
    });
    const unmarked = analyze(buildSnapshot(), { rules: [...builtinRules, userRule('acme/no-hop')] });
    expect(unmarked.path!.hops.every((h) => h.status === 'ok')).toBe(true);
  });

  it('takes the built-in hops from the rules (as the table it replaced had them)', () => {
    expect(Object.fromEntries(builtinRules.filter((r) => r.meta.hop).map((r) => [r.id, r.meta.hop]))).toEqual({
      'server-unreachable': 'server',
      'vpn-on-server': 'server',
      'container-address-advertised': 'container-bridge',
      'manual-port-mismatch': 'router',
      'no-port-forward': 'router',
      'double-nat': 'upstream-nat',
      cgnat: 'upstream-nat',
      'isp-blocks-port': 'public',
      'mapping-failed': 'internet',
      'remote-access-disabled': 'internet',
      'server-not-claimed': 'internet',
      'plextv-unreachable': 'internet',
      'relay-only': 'internet',
      'outside-reachability': 'internet',
      'outside-port-closed': 'router',
      'forward-reaches-other-host': 'router',
      'kubernetes-pod-address-advertised': 'container-bridge',
      'kubernetes-port-mismatch': 'container-bridge',
      'kubernetes-lb-pending': 'container-bridge',
      'host-firewall-blocks-port': 'server',
      'plex-listens-wrong-address': 'server',
    });
  });
});
