import rule from '../../../src/rules/builtin/kubernetes-lb-pending.js';
import type { Observation } from '../../../src/core/observation.js';
import { accountValue, ok, skipped } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';
import { kubernetes, plexService, rbacRefused } from '../../rules/support/kubernetes.js';

type O = Record<string, Observation>;
const pendingLb = kubernetes({ services: [plexService({ loadBalancerIngress: [] })] });
const failing = (o: O) =>
  void (o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'unreachable' })));

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'the load balancer has an address',
      observations: (o) => void (o['host.kubernetes'] = kubernetes()),
      evidence: /load balancer 192\.168\.1\.240/,
    },
    {
      name: 'a NodePort Service only',
      observations: (o) =>
        void (o['host.kubernetes'] = kubernetes({
          services: [plexService({ type: 'NodePort', loadBalancerIngress: [] })],
        })),
      evidence: /no LoadBalancer Service/,
    },
    {
      name: 'pending, but plex.tv reached the server (through the nodePort): not in the way',
      observations: (o) => void (o['host.kubernetes'] = pendingLb),
      evidence: /mappingState=mapped/,
    },
  ],
  invalid: [
    {
      name: 'a LoadBalancer without ingress (no MetalLB on bare metal)',
      observations: (o) => (failing(o), (o['host.kubernetes'] = pendingLb)),
      expect: [
        {
          messageId: 'pending',
          confidence: 'high',
          data: { service: 'plex', port: 32400 },
          fixId: 'assignAddress',
          mentions: ['MetalLB', '31400'],
        },
      ],
    },
    {
      name: "pending with remote access unknown (Plex's check not read)",
      observations: (o) => (delete o['server.account'], delete o['server.root'], (o['host.kubernetes'] = pendingLb)),
      expect: [{ messageId: 'pending' }],
    },
  ],
  notChecked: [
    { name: 'not run in the pod', reason: /not inside the Plex pod/, howToCheck: /kubectl/ },
    {
      name: 'collector skipped outside a pod',
      observations: (o) => void (o['host.kubernetes'] = skipped('not in a Kubernetes pod')),
      reason: /not inside the Plex pod/,
    },
    {
      name: 'RBAC: the service account may not list services',
      observations: (o) => void (o['host.kubernetes'] = rbacRefused()),
      reason: /may not list services \(RBAC\)/,
      howToCheck: /Role/,
    },
  ],
});
