/**
 * Facts for the Kubernetes rules: is the server in a pod (read, or as the user said), which addresses are the cluster's
 * own (the pod's and the Services' addresses, then the distributions' default ranges as weaker evidence), and how the
 * Services expose Plex's port (docs/reference/kubernetes.md).
 */
import { isInCidr } from '../core/net/address.js';
import type { Evidence } from './types.js';
import type { FactsContext } from './facts.js';
import type { KubernetesServiceFacts, KubernetesValue } from '../collect/values/kubernetes.js';

/** Plex's own port in the container. */
export const PLEX_CONTAINER_PORT = 32400;

/** Default cluster ranges: pod networks (k3s 10.42/16, kubeadm+flannel 10.244/16) and Service networks. */
const DEFAULT_RANGES: { cidr: string; kind: 'pod-range' | 'service-range'; label: string }[] = [
  { cidr: '10.42.0.0/16', kind: 'pod-range', label: "k3s's default pod network 10.42.0.0/16" },
  { cidr: '10.244.0.0/16', kind: 'pod-range', label: 'the kubeadm/flannel default pod network 10.244.0.0/16' },
  { cidr: '10.43.0.0/16', kind: 'service-range', label: "k3s's default Service network 10.43.0.0/16" },
  { cidr: '10.96.0.0/12', kind: 'service-range', label: "kubeadm's default Service network 10.96.0.0/12" },
];

export type ClusterAddressKind = 'pod-ip' | 'cluster-ip' | 'pod-range' | 'service-range';

export interface ClusterAddress {
  kind: ClusterAddressKind;
  /** Words for the message: "this pod's address (status.podIP)". */
  label: string;
  /** Read from the cluster (this pod's or a Service's address), not only in a default range. */
  observed: boolean;
}

/** Whether an address is the cluster's own: read from the API first, then the default ranges. */
export function clusterAddressOf(address: string, k8s: KubernetesValue | undefined): ClusterAddress | undefined {
  const pod = k8s?.pod;
  if (pod && !pod.hostNetwork && pod.podIPs.includes(address) && address !== pod.hostIP)
    return { kind: 'pod-ip', label: "this pod's address (status.podIP)", observed: true };
  const service = k8s?.services.find((s) => s.clusterIPs.includes(address));
  if (service)
    return { kind: 'cluster-ip', label: `the clusterIP of Service ${service.name ?? '(unnamed)'}`, observed: true };
  const range = DEFAULT_RANGES.find((r) => isInCidr(address, r.cidr));
  return range ? { kind: range.kind, label: `in ${range.label}`, observed: false } : undefined;
}

/** That the server runs in Kubernetes, read in this pod or declared by the user; undefined when nothing says so. */
export function kubernetesPresence(ctx: FactsContext): Evidence | undefined {
  const k8s = ctx.get('host.kubernetes');
  if (k8s)
    return {
      source: 'host.kubernetes',
      observed: `running in pod ${k8s.namespace ?? '?'}/${k8s.podName ?? '?'} (${k8s.detectedBy.join(', ')})`,
    };
  if (ctx.get('declared.kubernetes')?.kubernetes === true)
    return { source: 'declared.kubernetes', observed: 'Plex runs in Kubernetes', declared: true };
  return undefined;
}

/** One Service port that leads to Plex, and where it is reachable from outside the cluster. */
export interface PlexExposure {
  service: KubernetesServiceFacts;
  name: string;
  type: string;
  port: number;
  nodePort?: number;
  /** Ports a router could forward to: the nodePort, and the Service port on a load-balancer or external IP. */
  exposedPorts: number[];
  /** Where the router should send it ("192.168.1.240:32400", "192.168.1.20:31400"), if known. */
  target?: string;
}

function resolvesToPlex(targetPort: number | string | undefined, port: number, k8s: KubernetesValue): boolean {
  // targetPort defaults to port; a name is looked up among the pod's container ports.
  const target = targetPort ?? port;
  if (typeof target === 'number') return target === PLEX_CONTAINER_PORT;
  const named = k8s.pod?.containerPorts.find((p) => p.name === target);
  return named ? named.containerPort === PLEX_CONTAINER_PORT : /^(pms|plex)/i.test(target);
}

const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The Service ports in front of Plex's port that something outside the cluster can reach. */
export function plexExposures(k8s: KubernetesValue): PlexExposure[] {
  return k8s.services.flatMap((service) =>
    service.ports
      .filter((p) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP' && resolvesToPlex(p.targetPort, p.port, k8s))
      .flatMap((p): PlexExposure[] => {
        const type = service.type ?? 'ClusterIP';
        const lb = type === 'LoadBalancer' ? service.loadBalancerIngress.find((i) => i.ip ?? i.hostname) : undefined;
        const external = service.externalIPs[0];
        const nodePort = type === 'NodePort' || type === 'LoadBalancer' ? p.nodePort : undefined;
        const exposedPorts = [
          ...(type === 'LoadBalancer' || external ? [p.port] : []),
          ...(nodePort !== undefined ? [nodePort] : []),
        ];
        if (exposedPorts.length === 0) return [];
        const lbHost = lb?.ip ?? lb?.hostname;
        const target = lbHost
          ? hostPort(lbHost, p.port)
          : external
            ? hostPort(external, p.port)
            : nodePort !== undefined && k8s.pod?.hostIP
              ? hostPort(k8s.pod.hostIP, nodePort)
              : undefined;
        return [
          {
            service,
            name: service.name ?? '(unnamed)',
            type,
            port: p.port,
            ...(nodePort !== undefined ? { nodePort } : {}),
            exposedPorts: [...new Set(exposedPorts)],
            ...(target ? { target } : {}),
          },
        ];
      }),
  );
}

/** "Service plex (LoadBalancer): port 32400, nodePort 31400, load balancer 192.168.1.240" */
export function describeService(service: KubernetesServiceFacts): string {
  const ports = service.ports
    .map((p) => `${p.port}→${p.targetPort ?? p.port}${p.nodePort !== undefined ? ` (nodePort ${p.nodePort})` : ''}`)
    .join(', ');
  const ingress = service.loadBalancerIngress.map((i) => i.ip ?? i.hostname).filter(Boolean);
  const lb = service.type === 'LoadBalancer' ? `; load balancer ${ingress.join(', ') || 'pending (no ingress)'}` : '';
  const external = service.externalIPs.length ? `; externalIPs ${service.externalIPs.join(', ')}` : '';
  const policy = service.externalTrafficPolicy ? `; externalTrafficPolicy ${service.externalTrafficPolicy}` : '';
  return `Service ${service.name ?? '(unnamed)'} (${service.type ?? 'ClusterIP'}): ports ${ports || 'none'}${lb}${external}${policy}`;
}

/**
 * The Kubernetes rules' shared start: the value with its Services read, or undefined after saying the rule was not
 * checked and how to make it checkable.
 */
export function readServices(
  ctx: FactsContext & { notChecked(info: { reason: string; howToCheck: string }): void },
): KubernetesValue | undefined {
  const k8s = ctx.get('host.kubernetes');
  if (!k8s) {
    ctx.notChecked({
      reason: 'the Service in front of Plex was not read (this run is not inside the Plex pod)',
      howToCheck:
        'run plex-diagnose inside the Plex pod (kubectl exec) with a service account that may get pods and list services, or compare by hand: kubectl get svc -o wide',
    });
    return undefined;
  }
  if (k8s.servicesRead.status !== 'read') {
    ctx.notChecked({
      reason: k8s.servicesRead.reason,
      howToCheck:
        "grant the pod's service account get on pods and list on services in its namespace (a Role and RoleBinding), or compare by hand: kubectl get svc -o wide",
    });
    return undefined;
  }
  return k8s;
}
