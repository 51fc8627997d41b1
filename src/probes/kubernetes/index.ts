// The Kubernetes probe: is this a pod, and what the in-cluster API says about it and the Services in front of it.
export { probeKubernetes, DEFAULT_KUBERNETES_TIMEOUT_MS } from './probe.js';
export type { ProbeKubernetesOptions, KubernetesProbeValue } from './probe.js';
export { detectKubernetes, SERVICE_ACCOUNT_DIR } from './environment.js';
export type { KubernetesSources, KubernetesEnvironment } from './environment.js';
export type { ApiRead } from './api-client.js';
export { Pod, Service, ServiceList, Status } from './api-shapes.js';
