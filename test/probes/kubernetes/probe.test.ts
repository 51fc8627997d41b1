import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeKubernetes, SERVICE_ACCOUNT_DIR } from '../../../src/probes/kubernetes/index.js';
import { toKubernetesValue } from '../../../src/collect/builtin/kubernetes.js';
import { KubernetesValue } from '../../../src/collect/values/kubernetes.js';
import { analyze } from '../../../src/diagnose/diagnose.js';
import { buildSnapshot, ok } from '../../../src/testing/observations.js';
import { hasOpenssl } from '../support/certs.js';
import { makeClusterCertificates, type ClusterCertificates } from './cluster-ca.js';
import {
  plexPod,
  plexServices,
  startFakeApiServer,
  type FakeApiOptions,
  type FakeApiServer,
} from './fake-api-server.js';

// Shaped like a projected service-account token (a JWT); distinctive so any leak is found by a plain search.
const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6Ik1ZIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.K8sSecretSignatureXYZ123';
const NAMESPACE = 'media';

let certs: ClusterCertificates;
let root: string;
const servers: { close(): Promise<void> }[] = [];

function mount(dir: string, files: Record<string, string>): string {
  const sa = join(dir, SERVICE_ACCOUNT_DIR);
  mkdirSync(sa, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(sa, name), text);
  return dir;
}

async function fake(options: Partial<FakeApiOptions> = {}): Promise<FakeApiServer> {
  const server = await startFakeApiServer({
    cert: certs.server.cert,
    key: certs.server.key,
    namespace: NAMESPACE,
    pod: plexPod(),
    services: plexServices(),
    ...options,
  });
  servers.push(server);
  return server;
}

const envFor = (server: { host: string; port: number }) => ({
  KUBERNETES_SERVICE_HOST: server.host,
  KUBERNETES_SERVICE_PORT: String(server.port),
  HOSTNAME: 'plex-0',
});

const run = (server: { host: string; port: number }, timeoutMs = 4000) =>
  probeKubernetes({ fsRoot: root, env: envFor(server), timeoutMs });

/** Every string the probe and the collector produce, as they would land in a snapshot and a report. */
function expectNoToken(...values: unknown[]): void {
  for (const value of values) {
    const text = JSON.stringify(value);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('K8sSecretSignature');
  }
}

describe.skipIf(!hasOpenssl())('probeKubernetes against a fake API server', () => {
  beforeAll(() => {
    certs = makeClusterCertificates();
    root = mount(mkdtempSync(join(tmpdir(), 'plexdiag-k8s-root-')), {
      token: `${TOKEN}\n`,
      'ca.crt': certs.ca,
      namespace: NAMESPACE,
    });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    certs?.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the pod and the Services that select it, with the token sent only as a bearer to the API server', async () => {
    const server = await fake();
    const result = await run(server);
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      `/api/v1/namespaces/${NAMESPACE}/pods/plex-0`,
      `/api/v1/namespaces/${NAMESPACE}/services`,
    ]);
    expect(server.requests.every((r) => r.method === 'GET' && r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const value = KubernetesValue.parse(toKubernetesValue(result.value));
    expect(value.pod).toMatchObject({ hostNetwork: false, podIPs: ['10.42.0.17'], hostIP: '192.168.1.20' });
    expect(value.services.map((s) => s.name)).toEqual(['plex']);
    expect(value.services[0]).toMatchObject({
      type: 'LoadBalancer',
      clusterIPs: ['10.43.12.7'],
      ports: [{ port: 32400, targetPort: 'pms', nodePort: 31400 }],
      externalTrafficPolicy: 'Local',
      loadBalancerIngress: [],
      matchedBy: 'selector',
    });
    expect(value.servicesListed).toBe(2);
    const report = analyze(buildSnapshot({ 'host.kubernetes': ok(value) }));
    expectNoToken(result, value, report);
  });

  it('outside a pod: no request, nothing read', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'plexdiag-k8s-none-'));
    try {
      const result = await probeKubernetes({ fsRoot: empty, env: {} });
      expect(result).toMatchObject({ status: 'ok', value: { environment: { inPod: false } } });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('automountServiceAccountToken: false: in a pod, but the API is not read', async () => {
    const server = await fake();
    const noMount = mkdtempSync(join(tmpdir(), 'plexdiag-k8s-nomount-'));
    try {
      const result = await probeKubernetes({ fsRoot: noMount, env: envFor(server) });
      expect(result.status === 'ok' && result.value.environment).toMatchObject({
        inPod: true,
        unreadable: expect.stringContaining('automountServiceAccountToken') as string,
      });
      expect(server.requests).toEqual([]);
      if (result.status === 'ok')
        expect(toKubernetesValue(result.value).servicesRead).toMatchObject({ status: 'not-readable' });
    } finally {
      rmSync(noMount, { recursive: true, force: true });
    }
  });

  it('a Status 403 on the Services is "not readable (RBAC)", not a failure; the pod is still read', async () => {
    const server = await fake({ behaviour: { services: 'forbidden' } });
    const result = await run(server);
    if (result.status !== 'ok') throw new Error('the probe failed');
    const value = toKubernetesValue(result.value);
    expect(value.podRead).toEqual({ status: 'read' });
    expect(value.servicesRead.status).toBe('not-readable');
    expect(value.servicesRead.status === 'not-readable' && value.servicesRead.reason).toContain(
      'the service account may not list services (RBAC)',
    );
    expectNoToken(result, value);
  });

  it('a 401 on the pod is "not readable"', async () => {
    const server = await fake({ behaviour: { pod: 'unauthorized' } });
    const result = await run(server);
    if (result.status !== 'ok') throw new Error('the probe failed');
    expect(toKubernetesValue(result.value).podRead.status).toBe('not-readable');
  });

  it('a redirect to another host is not followed: the other listener never sees the token', async () => {
    const seen: IncomingMessage['headers'][] = [];
    const other = createHttpServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'ServiceList', items: [] }));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => other.close(() => resolve())) });
    const otherPort = (other.address() as AddressInfo).port;
    const server = await fake({
      behaviour: { pod: 'redirect', services: 'redirect' },
      redirectTo: `http://127.0.0.1:${otherPort}`,
    });
    const result = await run(server);
    if (result.status !== 'ok') throw new Error('the probe failed');
    expect(seen.filter((h) => h.authorization !== undefined)).toEqual([]);
    expect(seen).toEqual([]);
    const value = toKubernetesValue(result.value);
    expect(value.servicesRead).toMatchObject({ status: 'failed' });
    expect(value.podRead).toMatchObject({ status: 'failed' });
    expectNoToken(result, value);
  });

  it('a huge body stops at the cap', async () => {
    const server = await fake({ behaviour: { services: 'huge' } });
    const result = await run(server, 8000);
    if (result.status !== 'ok') throw new Error('the probe failed');
    expect(result.value.services).toMatchObject({ status: 'failed', code: 'PLEXDIAG_BODY_TOO_LARGE' });
    expect(result.value.pod?.status).toBe('ok');
  });

  it('a server that never answers ends at the deadline', async () => {
    const server = await fake({ behaviour: { pod: 'hang', services: 'hang' } });
    const result = await run(server, 800);
    if (result.status === 'ok') {
      expect(result.value.pod?.status).toBe('failed');
      expect(result.value.services?.status).toBe('failed');
    } else expect(result.error.phase).toBe('timeout');
    expectNoToken(result);
  });

  it('malformed JSON is a failed read, not a crash', async () => {
    const server = await fake({ behaviour: { services: 'malformed' } });
    const result = await run(server);
    if (result.status !== 'ok') throw new Error('the probe failed');
    expect(result.value.services).toMatchObject({ status: 'failed', code: 'EBADRESPONSE' });
  });

  it('an API server whose certificate the mount CA did not sign is refused before the token is sent', async () => {
    const rogue = await startFakeApiServer({
      cert: certs.rogue.cert,
      key: certs.rogue.key,
      namespace: NAMESPACE,
      pod: plexPod(),
      services: plexServices(),
    });
    servers.push(rogue);
    const result = await run(rogue);
    if (result.status !== 'ok') throw new Error('the probe failed');
    expect(result.value.pod).toMatchObject({ status: 'failed', phase: 'tls' });
    expect(rogue.requests).toEqual([]);
    expectNoToken(result);
  });
});
