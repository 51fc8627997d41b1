/**
 * `host.kubernetes` values for rule tests and corpus cases: Plex (pms-docker) in pod media/plex-0 on k3s, node
 * 192.168.1.20, in front of it a Service (LoadBalancer by default). Shaped as the collector writes them.
 */
import { KubernetesValue, type KubernetesServiceFacts } from '../../../src/collect/values/kubernetes.js';
import { ok } from '../../../src/testing/observations.js';
import type { Observation } from '../../../src/core/observation.js';

export const POD_IP = '10.42.0.17';
export const NODE_IP = '192.168.1.20';
export const CLUSTER_IP = '10.43.12.7';
export const LB_IP = '192.168.1.240';

export function plexService(overrides: Partial<KubernetesServiceFacts> = {}): KubernetesServiceFacts {
  return {
    name: 'plex',
    type: 'LoadBalancer',
    clusterIPs: [CLUSTER_IP],
    ports: [{ name: 'pms', protocol: 'TCP', port: 32400, targetPort: 'pms', nodePort: 31400 }],
    externalTrafficPolicy: 'Local',
    externalIPs: [],
    loadBalancerIngress: [{ ip: LB_IP }],
    matchedBy: 'selector',
    ...overrides,
  };
}

export function kubernetesValue(overrides: Partial<KubernetesValue> & { hostNetwork?: boolean } = {}): KubernetesValue {
  const { hostNetwork, ...rest } = overrides;
  return KubernetesValue.parse({
    detectedBy: ['environment variable KUBERNETES_SERVICE_HOST'],
    apiServer: '10.43.0.1:443',
    namespace: 'media',
    podName: 'plex-0',
    podRead: { status: 'read' },
    pod: {
      name: 'plex-0',
      hostNetwork: hostNetwork ?? false,
      podIPs: hostNetwork ? [NODE_IP] : [POD_IP],
      hostIP: NODE_IP,
      labels: { 'app.kubernetes.io/name': 'plex' },
      containerPorts: [{ name: 'pms', containerPort: 32400, protocol: 'TCP' }],
    },
    servicesRead: { status: 'read' },
    services: [plexService()],
    servicesListed: 3,
    ...rest,
  });
}

export const kubernetes = (overrides: Parameters<typeof kubernetesValue>[0] = {}): Observation =>
  ok(kubernetesValue(overrides));

/** The RBAC refusal as the collector records it. */
export const rbacRefused = (): Observation =>
  kubernetes({
    podRead: {
      status: 'not-readable',
      reason: 'not readable: the service account may not read this pod (RBAC) (HTTP 403)',
    },
    pod: undefined,
    servicesRead: {
      status: 'not-readable',
      reason: 'not readable: the service account may not list services (RBAC) (HTTP 403: services is forbidden)',
    },
    services: [],
  });
