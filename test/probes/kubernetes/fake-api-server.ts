/**
 * A fake Kubernetes API server on loopback (HTTPS, a CA made per test) speaking the real core/v1 JSON shapes, from the
 * Kubernetes API reference: https://kubernetes.io/docs/reference/kubernetes-api/ ("Pod v1 core": metadata.labels,
 * spec.hostNetwork, spec.containers[].ports[], status.podIP/podIPs/hostIP; "Service v1 core": spec.type, selector,
 * clusterIP(s), ports[].port/targetPort/nodePort, externalTrafficPolicy, externalIPs, status.loadBalancer.ingress;
 * "ServiceList"; "Status" for errors: kind Status, status Failure, reason Forbidden, code 403).
 *
 * Behaviours for the adversarial cases: an RBAC 403, a redirect to another host, a huge body, a server that never
 * answers, malformed JSON. It records every request (path and whether it carried the bearer token).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type FakeBehaviour = 'ok' | 'forbidden' | 'redirect' | 'huge' | 'hang' | 'malformed' | 'unauthorized';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
}

export interface FakeApiServer {
  host: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeApiOptions {
  cert: string;
  key: string;
  namespace: string;
  pod: object;
  services: object[];
  /** Per resource: 'pod' or 'services'. @default 'ok' for both */
  behaviour?: Partial<Record<'pod' | 'services', FakeBehaviour>>;
  /** Where a redirect points (another listener). */
  redirectTo?: string;
}

/** The Status object the API server sends for an RBAC refusal (verbatim shape from the reference). */
export function forbiddenStatus(resource: string, namespace: string): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${resource} is forbidden: User "system:serviceaccount:${namespace}:default" cannot list resource "${resource}" in API group "" in the namespace "${namespace}"`,
    reason: 'Forbidden',
    details: { kind: resource },
    code: 403,
  };
}

export async function startFakeApiServer(options: FakeApiOptions): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? '';
    requests.push({
      method: req.method ?? '',
      path,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const ns = `/api/v1/namespaces/${options.namespace}`;
    const resource = path.startsWith(`${ns}/pods/`) ? 'pod' : path === `${ns}/services` ? 'services' : undefined;
    if (!resource || req.method !== 'GET') {
      send(res, 404, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: 'the server could not find the requested resource',
      });
      return;
    }
    const body =
      resource === 'pod'
        ? { kind: 'Pod', apiVersion: 'v1', ...options.pod }
        : { kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: '12345' }, items: options.services };
    switch (options.behaviour?.[resource] ?? 'ok') {
      case 'ok':
        return send(res, 200, body);
      case 'forbidden':
        return send(res, 403, forbiddenStatus(resource === 'pod' ? 'pods' : 'services', options.namespace));
      case 'unauthorized':
        return send(res, 401, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        });
      case 'redirect':
        res.writeHead(302, { location: `${options.redirectTo ?? 'http://127.0.0.1:9'}${path}` });
        return void res.end();
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"kind":"ServiceList","items":[{"metadata":');
      case 'huge': {
        // No content-length: the cap must hold while streaming, not only on a declared length.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent < 64 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (sent = Number.POSITIVE_INFINITY));
        return pump();
      }
      case 'hang':
        hanging.add(res);
        return;
    }
  };
  const server: Server = createServer({ cert: options.cert, key: options.key }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    requests,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A realistic Plex pod (pms-docker on k3s) and its Services, as the API returns them. */
export function plexPod(overrides: { hostNetwork?: boolean; podIP?: string } = {}): object {
  const podIP = overrides.podIP ?? '10.42.0.17';
  return {
    metadata: {
      name: 'plex-0',
      namespace: 'media',
      uid: 'a2f1c3e4-0000-4000-8000-000000000001',
      labels: { 'app.kubernetes.io/name': 'plex', 'controller-revision-hash': 'plex-5d8f7' },
    },
    spec: {
      hostNetwork: overrides.hostNetwork ?? false,
      nodeName: 'node-a',
      containers: [
        {
          name: 'plex',
          image: 'plexinc/pms-docker:latest',
          ports: [{ name: 'pms', containerPort: 32400, protocol: 'TCP' }],
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: '192.168.1.20',
      hostIPs: [{ ip: '192.168.1.20' }],
      podIP,
      podIPs: [{ ip: podIP }],
    },
  };
}

export function plexServices(): object[] {
  return [
    {
      metadata: { name: 'plex', namespace: 'media' },
      spec: {
        type: 'LoadBalancer',
        selector: { 'app.kubernetes.io/name': 'plex' },
        clusterIP: '10.43.12.7',
        clusterIPs: ['10.43.12.7'],
        ports: [{ name: 'pms', protocol: 'TCP', port: 32400, targetPort: 'pms', nodePort: 31400 }],
        externalTrafficPolicy: 'Local',
        sessionAffinity: 'None',
      },
      status: { loadBalancer: {} },
    },
    {
      metadata: { name: 'sonarr', namespace: 'media' },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'sonarr' },
        clusterIP: '10.43.99.1',
        ports: [{ port: 8989, targetPort: 8989, protocol: 'TCP' }],
      },
      status: { loadBalancer: {} },
    },
  ];
}
