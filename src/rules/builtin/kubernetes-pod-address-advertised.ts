/**
 * Plex in a pod publishes its pod address (or a Service's clusterIP) as where to reach it: an address that exists only
 * inside the cluster (docs/reference/kubernetes.md "Why it matters for Plex"). plex.tv hands it to every client, which
 * then falls back to the Relay or fails. The Kubernetes reading of container-address-advertised: when both fire, this
 * one says which cluster address it is and what to publish instead (the load balancer's or a node's address).
 */
import type { Evidence } from '../types.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import { dialledAddress, urlHostAddress } from '../connection-facts.js';
import type { FactsContext } from '../facts.js';
import { clusterAddressOf, kubernetesPresence, plexExposures, type ClusterAddress } from '../kubernetes-facts.js';
import { classifyAddress } from '../../core/net/address.js';

interface Advertised {
  address: string;
  source: string;
  observed: string;
}

/** What plex.tv hands out (non-relay connections) and what the server reports as its private address. */
function advertisedAddresses(ctx: FactsContext): Advertised[] {
  const fromPlexTv = (ctx.get('plextv.resources')?.server?.connections ?? [])
    .filter((c) => !c.relay)
    .map((c) => ({ address: dialledAddress(c), source: 'plextv.resources', observed: `connection ${c.uri}` }));
  const privateAddress = ctx.get('server.account')?.privateAddress;
  const fromAccount = privateAddress
    ? [{ address: privateAddress, source: 'server.account', observed: `privateAddress=${privateAddress}` }]
    : [];
  return [...fromPlexTv, ...fromAccount];
}

/** The URL to publish: the load balancer's address, an external IP, or a node's address with the nodePort. */
function reachableUrl(ctx: FactsContext): { url: string; what: string } {
  const k8s = ctx.get('host.kubernetes');
  const exposure = k8s ? plexExposures(k8s).find((e) => e.target) : undefined;
  if (exposure?.target)
    return {
      url: `http://${exposure.target}`,
      what: `where Service ${exposure.name} (${exposure.type}) takes Plex's connections`,
    };
  return {
    url: 'http://<load-balancer or node address>:<exposed port>',
    what: "the Service's load-balancer address and port, or a node's address and the nodePort",
  };
}

export default defineBuiltinRule({
  id: 'kubernetes-pod-address-advertised',
  meta: {
    severity: 'error',
    category: 'lan',
    title: 'A server in Kubernetes advertises an address clients can reach (not its pod or cluster address)',
    hop: 'container-bridge',
    requires: [],
    uses: ['host.kubernetes', 'declared.kubernetes', 'plextv.resources', 'server.account', 'server.prefs'],
    explains: ['container-address-advertised'],
    messages: {
      podAddressAdvertised:
        'The server advertises {{address}}, {{what}}: an address that exists only inside the Kubernetes cluster, so clients outside the pod network cannot reach it and fall back to the Relay or fail.',
    },
    fixes: {
      advertiseReachableUrl:
        "Publish an address clients can reach: set ADVERTISE_IP={{url}}/ in the pod's environment (pms-docker; it is written on the first start only, so also set it in Plex Web), or Settings → Network → Custom server access URLs = {{url}} ({{urlWhat}}). Or run the pod with `hostNetwork: true`, so Plex has the node's address.",
    },
  },
  evaluate(ctx) {
    const advertised = advertisedAddresses(ctx);
    if (advertised.length === 0) {
      ctx.notChecked({
        reason: "what the server advertises was not read (plex.tv's connections, the server's private address)",
        howToCheck: 'give a token (--token or PLEX_TOKEN) and drop --no-plextv',
      });
      return;
    }
    const k8s = ctx.get('host.kubernetes');
    if (k8s?.pod?.hostNetwork) {
      ctx.pass({
        evidence: [{ source: 'host.kubernetes', observed: "hostNetwork: true: Plex has the node's address" }],
      });
      return;
    }
    const cluster = advertised
      .map((a) => ({ ...a, cluster: clusterAddressOf(a.address, k8s) }))
      .filter((a): a is Advertised & { cluster: ClusterAddress } => a.cluster !== undefined);
    if (cluster.length === 0) {
      ctx.pass({
        evidence: [
          {
            source: advertised[0]!.source,
            observed: `advertised: ${[...new Set(advertised.map((a) => a.address))].join(', ')} (no pod or cluster address)`,
          },
        ],
      });
      return;
    }
    const presence = kubernetesPresence(ctx);
    if (!presence) {
      ctx.notChecked({
        reason: `${cluster[0]!.address} is ${cluster[0]!.cluster.label}, but nothing says this server runs in Kubernetes (container-address-advertised covers container ranges)`,
        howToCheck: 'run plex-diagnose inside the Plex pod, or say so: --kubernetes',
      });
      return;
    }
    // A published URL on a LAN or public address that is not the cluster's own gives clients a way in.
    const published = ctx.get('server.prefs')?.network.customConnections?.find((entry) => {
      const host = urlHostAddress(entry);
      if (!host) return false;
      const kind = classifyAddress(host);
      return (kind === 'private' || kind === 'public' || kind === 'invalid') && !clusterAddressOf(host, k8s);
    });
    if (published) {
      ctx.pass({ evidence: [{ source: 'server.prefs', observed: `customConnections publishes ${published}` }] });
      return;
    }
    const first = [...cluster].sort((a, b) => Number(b.cluster.observed) - Number(a.cluster.observed))[0]!;
    const evidence: Evidence[] = [
      presence,
      ...cluster.map((a) => ({
        source: a.source,
        observed: `${a.observed}: ${a.address} is ${a.cluster.label}`,
        expected: 'a load-balancer, node or LAN address',
      })),
    ];
    const { url, what } = reachableUrl(ctx);
    ctx.report({
      messageId: 'podAddressAdvertised',
      data: { address: first.address, what: first.cluster.label },
      evidence,
      confidence: first.cluster.observed ? 'high' : 'medium',
      fix: { fixId: 'advertiseReachableUrl', data: { url, urlWhat: what } },
    });
  },
});
