/**
 * The Kubernetes probe: detects a pod and, where the service account may, reads the pod and its namespace's Services
 * (two GETs, each under its own deadline and body cap; docs/reference/kubernetes.md). Returns what it read as the
 * API's own shapes; the token stays inside this module and the API client.
 */
import { runProbe, type ProbeOptions, type ProbeResult } from '../types.js';
import { createKubernetesApi, type ApiRead } from './api-client.js';
import { Pod, ServiceList } from './api-shapes.js';
import { detectKubernetes, type KubernetesEnvironment, type KubernetesSources } from './environment.js';

export interface ProbeKubernetesOptions extends ProbeOptions, KubernetesSources {
  /** The whole probe (both reads). @default 6000 */
  timeoutMs?: number;
}

export interface KubernetesProbeValue {
  environment: Omit<KubernetesEnvironment, 'credentials'>;
  /** Absent when the API was not tried (not in a pod, or no credentials). */
  pod?: ApiRead<Pod>;
  services?: ApiRead<ServiceList>;
}

export const DEFAULT_KUBERNETES_TIMEOUT_MS = 6000;

export function probeKubernetes(options: ProbeKubernetesOptions = {}): Promise<ProbeResult<KubernetesProbeValue>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_KUBERNETES_TIMEOUT_MS;
  return runProbe({ ...options, defaultTimeoutMs: DEFAULT_KUBERNETES_TIMEOUT_MS }, async (signal) => {
    const detected = await detectKubernetes(options, signal);
    const { credentials, ...environment } = detected;
    if (!credentials || !environment.namespace || !environment.podName) return { environment };
    // The two reads run side by side, each a little inside the probe's deadline so its own classified timeout wins.
    const api = createKubernetesApi(credentials, { timeoutMs: Math.max(100, timeoutMs - 250), signal });
    try {
      const ns = encodeURIComponent(environment.namespace);
      const [pod, services] = await Promise.all([
        api.get(`/api/v1/namespaces/${ns}/pods/${encodeURIComponent(environment.podName)}`, Pod),
        api.get(`/api/v1/namespaces/${ns}/services`, ServiceList),
      ]);
      return { environment, pod, services };
    } finally {
      await api.close().catch(() => undefined);
    }
  });
}
