/**
 * Am I in a Kubernetes pod, and may I read the API? Every container gets `KUBERNETES_SERVICE_HOST`/`_PORT` (the API
 * server's Service) and, unless `automountServiceAccountToken: false`, the service-account mount with `token`,
 * `ca.crt` and `namespace` (kubernetes.io/docs/tasks/run-application/access-api-from-pod/). The root dir and the env
 * are injectable so tests run against a temp dir, never this machine's mount.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readFileCapped } from '../../core/util/read-capped.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubernetesSources {
  /** Root the service-account mount is read under (tests point it at a temp dir). @default '/' */
  fsRoot?: string;
  /** Environment (`KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT`, `HOSTNAME`). @default process.env */
  env?: Record<string, string | undefined>;
}

/** The credentials to read the API with: held in memory only, never part of a result. */
export interface KubernetesCredentials {
  host: string;
  port: number;
  token: string;
  ca: string;
}

export interface KubernetesEnvironment {
  inPod: boolean;
  /** What said so: the env variable, the mount. */
  detectedBy: string[];
  /** `host:port` of the API server (no secret). */
  apiServer?: string;
  namespace?: string;
  /** The container's hostname, which is the pod's name unless the pod spec overrides `hostname`. */
  podName?: string;
  /** Why the API cannot be read, when it cannot. */
  unreadable?: string;
  credentials?: KubernetesCredentials;
}

// A projected service-account token is ~1 KB; a CA bundle a few KB. Anything far past that is not what we expect.
const MAX_TOKEN_BYTES = 64 * 1024;
const MAX_CA_BYTES = 512 * 1024;
const MAX_NAMESPACE_BYTES = 256;

async function readSmall(path: string, maxBytes: number, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const read = await readFileCapped(path, { maxBytes, ...(signal ? { signal } : {}) });
    return read.status === 'read' ? read.buffer.toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}

function parsePort(text: string | undefined): number | undefined {
  if (!text || !/^\d{1,5}$/.test(text.trim())) return undefined;
  const port = Number(text.trim());
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** A DNS name or an IP literal, nothing that could smuggle a path or credentials into the URL. */
function validHost(text: string | undefined): string | undefined {
  const host = text?.trim();
  if (!host || host.length > 253) return undefined;
  return /^[A-Za-z0-9.-]+$/.test(host) || /^[0-9A-Fa-f:.]+$/.test(host) ? host : undefined;
}

export async function detectKubernetes(
  sources: KubernetesSources = {},
  signal?: AbortSignal,
): Promise<KubernetesEnvironment> {
  const env = sources.env ?? process.env;
  const dir = join(sources.fsRoot ?? '/', SERVICE_ACCOUNT_DIR);
  // Outside a pod (nearly every run) one synchronous stat answers, instead of three file opens queued on libuv's pool
  // beside the other collectors' reads (3 ms of CPU per diagnosis in the profile: docs/performance.md).
  if (!env.KUBERNETES_SERVICE_HOST && !existsSync(dir)) return { inPod: false, detectedBy: [] };
  const [token, ca, namespaceText] = await Promise.all([
    readSmall(join(dir, 'token'), MAX_TOKEN_BYTES, signal),
    readSmall(join(dir, 'ca.crt'), MAX_CA_BYTES, signal),
    readSmall(join(dir, 'namespace'), MAX_NAMESPACE_BYTES, signal),
  ]);
  const detectedBy: string[] = [];
  if (env.KUBERNETES_SERVICE_HOST) detectedBy.push('environment variable KUBERNETES_SERVICE_HOST');
  if (token !== undefined || namespaceText !== undefined)
    detectedBy.push(`service-account mount ${SERVICE_ACCOUNT_DIR}`);
  if (detectedBy.length === 0) return { inPod: false, detectedBy };

  const host = validHost(env.KUBERNETES_SERVICE_HOST);
  const port = parsePort(env.KUBERNETES_SERVICE_PORT) ?? (host ? 443 : undefined);
  const namespace = namespaceText?.trim();
  const podName = env.HOSTNAME?.trim();
  const apiServer = host && port ? `${host.includes(':') ? `[${host}]` : host}:${port}` : undefined;
  const base = {
    inPod: true,
    detectedBy,
    ...(apiServer ? { apiServer } : {}),
    ...(namespace && /^[a-z0-9.-]{1,253}$/.test(namespace) ? { namespace } : {}),
    ...(podName && /^[a-z0-9.-]{1,253}$/.test(podName) ? { podName } : {}),
  };
  const unreadable = !host
    ? 'KUBERNETES_SERVICE_HOST is not set (or not a host name): the API server is unknown'
    : token === undefined || !token.trim()
      ? `no service-account token at ${SERVICE_ACCOUNT_DIR}/token (automountServiceAccountToken: false?)`
      : ca === undefined || !ca.includes('BEGIN CERTIFICATE')
        ? `no CA certificate at ${SERVICE_ACCOUNT_DIR}/ca.crt: the API server's certificate cannot be verified`
        : !base.namespace || !base.podName
          ? 'the pod namespace or name is unknown (no namespace file or HOSTNAME)'
          : undefined;
  if (unreadable) return { ...base, unreadable };
  return { ...base, credentials: { host: host!, port: port!, token: token!.trim(), ca: ca! } };
}
