/**
 * `host.kubernetes`: what this pod could read about itself and the Services in front of it through the in-cluster API
 * (docs/reference/kubernetes.md). Tolerant: unknown fields pass through, so a snapshot from a newer version loads.
 * Never holds the service-account token.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';

/** How one API read ended. `not-readable` is RBAC (401/403) or no credentials: not an error of the cluster. */
export const KubernetesRead = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.looseObject({ status: z.literal('read') }),
    z.looseObject({ status: z.literal('not-readable'), reason: z.string() }),
    z.looseObject({ status: z.literal('failed'), code: z.string(), reason: z.string() }),
  ]),
);
export type KubernetesRead = z.infer<typeof KubernetesRead>;

export const KubernetesPodFacts = lazySchema(() =>
  z.looseObject({
    name: z.string().optional(),
    /** true: the pod uses the node's network, so it has no pod address of its own. */
    hostNetwork: z.boolean().optional(),
    /** status.podIP and status.podIPs[].ip, deduplicated. */
    podIPs: z.array(z.string()),
    /** The node's address (status.hostIP). */
    hostIP: z.string().optional(),
    labels: z.record(z.string(), z.string()),
    /** spec.containers[].ports[]: resolves a Service's named targetPort. */
    containerPorts: z.array(
      z.looseObject({ name: z.string().optional(), containerPort: z.number().int(), protocol: z.string().optional() }),
    ),
  }),
);
export type KubernetesPodFacts = z.infer<typeof KubernetesPodFacts>;

export const KubernetesServicePort = lazySchema(() =>
  z.looseObject({
    name: z.string().optional(),
    protocol: z.string().optional(),
    /** The Service's own port (clusterIP, externalIPs and load-balancer address listen on it). */
    port: z.number().int(),
    /** The container's port: a number, or the name of a container port. */
    targetPort: z.union([z.number().int(), z.string()]).optional(),
    /** The port opened on every node (NodePort and LoadBalancer). */
    nodePort: z.number().int().optional(),
  }),
);
export type KubernetesServicePort = z.infer<typeof KubernetesServicePort>;

export const KubernetesServiceFacts = lazySchema(() =>
  z.looseObject({
    name: z.string().optional(),
    /** ClusterIP | NodePort | LoadBalancer | ExternalName */
    type: z.string().optional(),
    clusterIPs: z.array(z.string()),
    ports: z.array(realSchema(KubernetesServicePort)),
    /** Cluster | Local */
    externalTrafficPolicy: z.string().optional(),
    externalIPs: z.array(z.string()),
    /** status.loadBalancer.ingress[]: empty while a LoadBalancer is pending. */
    loadBalancerIngress: z.array(z.looseObject({ ip: z.string().optional(), hostname: z.string().optional() })),
    /** How it was tied to the pod: its selector matches the pod's labels, or (labels unknown) it targets port 32400. */
    matchedBy: z.enum(['selector', 'plex-port']).optional(),
  }),
);
export type KubernetesServiceFacts = z.infer<typeof KubernetesServiceFacts>;

export const KubernetesValue = lazySchema(() =>
  z.looseObject({
    /** What said this runs in a pod: the env variable, the service-account mount. */
    detectedBy: z.array(z.string()),
    /** `host:port` of the API server. */
    apiServer: z.string().optional(),
    namespace: z.string().optional(),
    podName: z.string().optional(),
    podRead: realSchema(KubernetesRead),
    pod: KubernetesPodFacts.optional(),
    servicesRead: realSchema(KubernetesRead),
    /** The Services whose selector matches the pod's labels. */
    services: z.array(realSchema(KubernetesServiceFacts)),
    /** How many Services the namespace listed (to tell "none selects the pod" from "none exist"). */
    servicesListed: z.number().int().optional(),
  }),
);
export type KubernetesValue = z.infer<typeof KubernetesValue>;
