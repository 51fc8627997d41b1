/**
 * A LoadBalancer Service with no address: `status.loadBalancer.ingress` stays empty ("pending") until a load-balancer
 * controller assigns one (docs/reference/kubernetes.md). On bare metal without MetalLB, kube-vip or k3s's ServiceLB
 * that is forever, and nothing outside the cluster can reach Plex through it.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { reachedFromOutside } from '../outside-facts.js';
import { describeService, plexExposures, readServices } from '../kubernetes-facts.js';

export default defineBuiltinRule({
  id: 'kubernetes-lb-pending',
  meta: {
    severity: 'error',
    category: 'port-forwarding',
    title: 'The LoadBalancer Service in front of Plex has an external address',
    hop: 'container-bridge',
    requires: [],
    uses: ['probe.outside', 'host.kubernetes', 'server.account', 'server.root'],
    explains: ['mapping-failed', 'relay-only', 'no-port-forward'],
    messages: {
      pending:
        'Service {{service}} is a LoadBalancer without an external address (status.loadBalancer.ingress is empty: pending), so it takes no connections from outside the cluster on port {{port}}.',
    },
    fixes: {
      assignAddress:
        "Give the cluster a load-balancer controller with an address pool on your LAN (MetalLB, kube-vip, or k3s's built-in ServiceLB), then forward the router to the address it assigns, port {{port}}; `kubectl describe svc {{service}}` shows why it is pending. Or switch the Service to `type: NodePort` and forward the router to a node's address, port {{nodePort}}.",
    },
  },
  evaluate(ctx) {
    const k8s = readServices(ctx);
    if (!k8s) return;
    const balancers = k8s.services.filter((s) => s.type === 'LoadBalancer');
    if (balancers.length === 0) {
      ctx.pass({
        evidence: [
          {
            source: 'host.kubernetes',
            observed: `no LoadBalancer Service selects the pod (${k8s.services.length} Service(s) do)`,
          },
        ],
      });
      return;
    }
    const pending = balancers.filter((s) => !s.loadBalancerIngress.some((i) => i.ip ?? i.hostname));
    const outside = reachedFromOutside(ctx);
    // Remote access works (through a nodePort or another Service): a pending balancer is not in its way.
    if (pending.length === 0 || outside) {
      ctx.pass({
        evidence: [
          ...(outside ? [outside] : []),
          ...balancers.map((s) => ({ source: 'host.kubernetes', observed: describeService(s) })),
        ],
      });
      return;
    }
    const service = pending[0]!;
    const exposure = plexExposures(k8s).find((e) => e.service === service);
    const port = exposure?.port ?? service.ports[0]?.port ?? 32400;
    const nodePort = exposure?.nodePort ?? service.ports.find((p) => p.port === port)?.nodePort;
    ctx.report({
      messageId: 'pending',
      data: { service: service.name ?? '(unnamed)', port },
      evidence: [
        {
          source: 'host.kubernetes',
          observed: describeService(service),
          expected: 'status.loadBalancer.ingress with an ip or hostname',
        },
      ],
      confidence: 'high',
      fix: {
        fixId: 'assignAddress',
        data: { service: service.name ?? '(unnamed)', port, nodePort: nodePort ?? '<its nodePort>' },
      },
    });
  },
});
