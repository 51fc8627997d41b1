/**
 * `host.kubernetes`: the pod this runs in and the Services in front of it, read through the in-cluster API. Skipped
 * outside a pod. RBAC refusals are data ("not readable"), and the declared-facts path (--kubernetes) stays the
 * fallback for clusters whose API this pod may not read.
 */
import type { ApiRead } from '../../probes/kubernetes/api-client.js';
import type { Pod, Service } from '../../probes/kubernetes/api-shapes.js';
import type { KubernetesProbeValue } from '../../probes/kubernetes/probe.js';
import { defineCollector, type CollectorContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';
import {
  KubernetesValue,
  type KubernetesPodFacts,
  type KubernetesRead,
  type KubernetesServiceFacts,
} from '../values/kubernetes.js';
import { probeBudget, unwrapProbe } from './probe-value.js';

/** Plex's own port in the container: a Service whose targetPort is it fronts Plex even when labels are unknown. */
const PLEX_PORT = 32400;

export const RBAC_HINT = 'not readable: the service account may not list services (RBAC)';

function readOutcome(read: ApiRead<unknown> | undefined, what: string, unreadable?: string): KubernetesRead {
  if (!read) return { status: 'not-readable', reason: unreadable ?? `${what} not read` };
  if (read.status === 'ok') return { status: 'read' };
  if (read.status === 'forbidden')
    return {
      status: 'not-readable',
      reason: `${what === 'the Services' ? RBAC_HINT : `not readable: the service account may not read ${what} (RBAC)`} (${read.message})`,
    };
  return { status: 'failed', code: read.code, reason: read.message };
}

function podFacts(pod: Pod): KubernetesPodFacts {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter(
    (ip): ip is string => typeof ip === 'string' && ip.length > 0,
  );
  return {
    ...(pod.metadata?.name ? { name: pod.metadata.name } : {}),
    ...(pod.spec?.hostNetwork !== undefined ? { hostNetwork: pod.spec.hostNetwork } : {}),
    podIPs: [...new Set(ips)],
    ...(pod.status?.hostIP ? { hostIP: pod.status.hostIP } : {}),
    labels: pod.metadata?.labels ?? {},
    containerPorts: (pod.spec?.containers ?? []).flatMap((c) =>
      c.ports.map((p) => ({
        containerPort: p.containerPort,
        ...(p.name ? { name: p.name } : {}),
        ...(p.protocol ? { protocol: p.protocol } : {}),
      })),
    ),
  };
}

function serviceFacts(service: Service, matchedBy: 'selector' | 'plex-port'): KubernetesServiceFacts {
  const spec = service.spec;
  const clusterIPs = [...new Set([spec?.clusterIP, ...(spec?.clusterIPs ?? [])])].filter(
    (ip): ip is string => !!ip && ip !== 'None',
  );
  return {
    ...(service.metadata?.name ? { name: service.metadata.name } : {}),
    ...(spec?.type ? { type: spec.type } : {}),
    clusterIPs,
    ports: (spec?.ports ?? []).map((p) => ({
      port: p.port,
      ...(p.name ? { name: p.name } : {}),
      ...(p.protocol ? { protocol: p.protocol } : {}),
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
      ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
    })),
    ...(spec?.externalTrafficPolicy ? { externalTrafficPolicy: spec.externalTrafficPolicy } : {}),
    externalIPs: spec?.externalIPs ?? [],
    loadBalancerIngress: (service.status?.loadBalancer?.ingress ?? []).map((i) => ({
      ...(i.ip ? { ip: i.ip } : {}),
      ...(i.hostname ? { hostname: i.hostname } : {}),
    })),
    matchedBy,
  };
}

/** A Service fronts the pod when its selector (non-empty) is a subset of the pod's labels. */
export function selects(service: Service, labels: Record<string, string>): boolean {
  const selector = Object.entries(service.spec?.selector ?? {});
  return selector.length > 0 && selector.every(([key, value]) => labels[key] === value);
}

export function toKubernetesValue(probe: KubernetesProbeValue): KubernetesValue {
  const { environment } = probe;
  const pod = probe.pod?.status === 'ok' ? podFacts(probe.pod.value) : undefined;
  const listed = probe.services?.status === 'ok' ? probe.services.value.items : undefined;
  const services = !listed
    ? []
    : pod
      ? listed.filter((s) => selects(s, pod.labels)).map((s) => serviceFacts(s, 'selector'))
      : // The pod's labels are unknown: the Services that target Plex's port are the best guess.
        listed
          .filter((s) => (s.spec?.ports ?? []).some((p) => p.targetPort === PLEX_PORT || p.port === PLEX_PORT))
          .map((s) => serviceFacts(s, 'plex-port'));
  return {
    detectedBy: environment.detectedBy,
    ...(environment.apiServer ? { apiServer: environment.apiServer } : {}),
    ...(environment.namespace ? { namespace: environment.namespace } : {}),
    ...(environment.podName ? { podName: environment.podName } : {}),
    podRead: readOutcome(probe.pod, 'this pod', environment.unreadable),
    ...(pod ? { pod } : {}),
    servicesRead: readOutcome(probe.services, 'the Services', environment.unreadable),
    services,
    ...(listed ? { servicesListed: listed.length } : {}),
  };
}

type Ctx = CollectorContext<CollectServices>;

export const hostKubernetesCollector = defineCollector({
  id: 'host.kubernetes',
  title: 'Kubernetes (this pod and the Services in front of it)',
  timeoutMs: 8000,
  schema: KubernetesValue,
  async collect(ctx: Ctx): Promise<KubernetesValue> {
    const probe = unwrapProbe(
      await ctx.services.probes.kubernetes({ timeoutMs: probeBudget(ctx.timeoutMs), signal: ctx.signal }),
    );
    if (!probe.environment.inPod)
      ctx.skip('not in a Kubernetes pod (no KUBERNETES_SERVICE_HOST, no service-account mount); --kubernetes says so');
    return toKubernetesValue(probe);
  },
});
