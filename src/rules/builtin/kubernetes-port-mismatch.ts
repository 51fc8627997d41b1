/**
 * Plex in a pod is reached through a Service: the router's forward must lead to the Service's exposed port (the
 * load-balancer port, or the nodePort on a node), and Plex's public port must be the router's public port
 * (docs/reference/kubernetes.md). The usual break: Plex publishes 32400 while the Service exposes nodePort 31400, and
 * the router forwards 32400 to a node where nothing listens on 32400.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { publicPort } from '../facts.js';
import { reachedFromOutside, remoteTrouble } from '../outside-facts.js';
import { describeService, plexExposures, readServices } from '../kubernetes-facts.js';

export default defineBuiltinRule({
  id: 'kubernetes-port-mismatch',
  meta: {
    severity: 'error',
    category: 'port-forwarding',
    title: "Plex's public port leads to the port the Kubernetes Service exposes",
    hop: 'container-bridge',
    requires: [],
    uses: [
      'probe.outside',
      'host.kubernetes',
      'server.prefs',
      'server.account',
      'server.root',
      'declared.forwards',
      'declared.remoteAccess',
    ],
    explains: ['mapping-failed', 'relay-only', 'no-port-forward'],
    messages: {
      publicPortNotExposed:
        "Plex's public port is {{publicPort}}, but Service {{service}} ({{type}}) exposes Plex on {{exposed}}: nothing in the cluster takes connections on {{publicPort}}, so a forward of {{publicPort}} to the same port on a node or load balancer reaches nothing.",
      forwardMissesService:
        'The router forwards TCP {{publicPort}} to {{forwardHost}}:{{forwardPort}}, but Service {{service}} ({{type}}) exposes Plex on {{exposed}}, not {{forwardPort}}.',
    },
    fixes: {
      forwardToService:
        'Forward TCP {{publicPort}} on the router to {{target}} (the port Service {{service}} exposes), keeping "Manually specify public port" = {{publicPort}}. Or expose Plex on {{publicPort}} itself: `spec.ports[].port: {{publicPort}}` for a LoadBalancer, `nodePort: {{publicPort}}` for a NodePort (inside the cluster\'s NodePort range, 30000-32767 by default).',
    },
  },
  evaluate(ctx) {
    const k8s = readServices(ctx);
    if (!k8s) return;
    if (k8s.pod?.hostNetwork) {
      ctx.pass({
        evidence: [{ source: 'host.kubernetes', observed: "hostNetwork: true: Plex listens on the node's own port" }],
      });
      return;
    }
    const exposures = plexExposures(k8s);
    if (exposures.length === 0) {
      ctx.notChecked({
        reason:
          k8s.services.length === 0
            ? `no Service selects this pod (${k8s.servicesListed ?? 0} listed in the namespace)`
            : `no NodePort or LoadBalancer Service exposes Plex's port (${k8s.services.map(describeService).join('; ')}); an Ingress or hostPort is not read`,
        howToCheck: 'kubectl get svc,ingress -o wide: compare the exposed port with the router forward',
      });
      return;
    }
    const outside = reachedFromOutside(ctx);
    if (outside) {
      ctx.pass({ evidence: [outside] });
      return;
    }
    const port = publicPort(ctx);
    const exposed = [...new Set(exposures.flatMap((e) => e.exposedPorts))];
    const services = exposures.map((e) => ({ source: 'host.kubernetes', observed: describeService(e.service) }));
    if (exposed.includes(port.port)) {
      ctx.pass({
        evidence: [
          ...services,
          {
            source: port.source === 'manual' ? 'server.prefs' : 'server.account',
            observed: `public port ${port.port}`,
          },
        ],
      });
      return;
    }
    const first = exposures[0]!;
    const data = {
      publicPort: port.port,
      service: first.name,
      type: first.type,
      exposed: exposed.join(', '),
      target: first.target ?? `<a node's address>:${first.nodePort ?? first.port}`,
    };
    const portEvidence = {
      source: port.source === 'manual' ? 'server.prefs' : 'server.account',
      observed: `Plex's public port ${port.port} (${port.source})`,
      expected: `one of ${data.exposed}, or a router forward of ${port.port} to one of them`,
    };
    const forward = ctx.get('declared.forwards')?.forwards.find((f) => f.externalPort === port.port);
    if (forward) {
      if (exposed.includes(forward.internalPort)) {
        ctx.pass({
          evidence: [
            ...services,
            {
              source: 'declared.forwards',
              observed: `forward ${forward.externalPort} → ${forward.host}:${forward.internalPort}`,
              declared: true,
            },
          ],
        });
        return;
      }
      ctx.report({
        messageId: 'forwardMissesService',
        data: { ...data, forwardHost: forward.host, forwardPort: forward.internalPort },
        evidence: [
          ...services,
          portEvidence,
          {
            source: 'declared.forwards',
            observed: `forward ${forward.externalPort} → ${forward.host}:${forward.internalPort}`,
            declared: true,
          },
        ],
        confidence: 'medium',
        fix: { fixId: 'forwardToService', data },
      });
      return;
    }
    // Without the router's forward, a different port is fine as long as the router translates it: only a failing
    // remote check makes the difference a finding.
    const trouble = remoteTrouble(ctx);
    if (trouble.length === 0) {
      ctx.notChecked({
        reason: `Plex's public port ${port.port} is not a port the Service exposes (${data.exposed}); that works only if the router forwards ${port.port} to ${data.target}, and Plex's remote access check has no result`,
        howToCheck: `say what the router forwards: --forward ${port.port}:<node or load-balancer address>:<port>`,
      });
      return;
    }
    ctx.report({
      messageId: 'publicPortNotExposed',
      data,
      evidence: [...trouble, ...services, portEvidence],
      confidence: port.source === 'default' ? 'low' : 'medium',
      fix: { fixId: 'forwardToService', data },
    });
  },
});
