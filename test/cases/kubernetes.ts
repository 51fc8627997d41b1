/** Plex in Kubernetes: the pod address it publishes, the Service in front of it, and a load balancer with no address. */
import { HOME, deviceValue, ok, resourcesValue } from '../../src/testing/observations.js';
import { account, defineCases, identity, noIgd, noNatPmp, prefs, unreachable } from './define.js';
import { NODE_IP, POD_IP, kubernetes, plexService, rbacRefused } from '../rules/support/kubernetes.js';

const advertises = (...addresses: string[]) =>
  ok(
    resourcesValue(
      deviceValue({
        device: 'Docker Container',
        publicAddressMatches: true,
        connections: [
          ...addresses.map((address) => ({ address, local: true })),
          { address: HOME.relay, port: 8443, relay: true },
        ],
      }),
    ),
  );

export default defineCases([
  {
    id: 'k3s-pod-address-run-in-pod',
    story:
      'plexinc/pms-docker on k3s behind a MetalLB LoadBalancer (192.168.1.240). Phones at home say "connecting via Relay"; the app tries 10.42.0.17. I ran plex-diagnose with kubectl exec in the Plex pod.',
    observations: {
      'server.identity': identity(),
      'host.kubernetes': kubernetes(),
      'plextv.resources': advertises(POD_IP),
      'server.prefs': prefs({ customConnections: '' }),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
    },
    expect: {
      verdict: 'problems',
      cause: 'kubernetes-pod-address-advertised',
      candidates: ['container-address-advertised'],
    },
  },
  {
    id: 'k8s-nodeport-vs-public-port',
    story:
      'Helm chart with a NodePort Service (32400:31400/TCP). Router forwards 32400 to my node 192.168.1.20:32400, Plex has "manually specify public port" 32400 and says "Not available outside your network".',
    observations: {
      'server.identity': identity(),
      'host.kubernetes': kubernetes({ services: [plexService({ type: 'NodePort', loadBalancerIngress: [] })] }),
      'server.account': unreachable({ privateAddress: NODE_IP }),
      'server.prefs': prefs({ ManualPortMappingMode: true, ManualPortMappingPort: 32400 }),
      'declared.forwards': ok({ via: 'flag', forwards: [{ externalPort: 32400, host: NODE_IP, internalPort: 32400 }] }),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
    },
    expect: { verdict: 'problems', cause: 'kubernetes-port-mismatch' },
  },
  {
    id: 'k3s-loadbalancer-pending',
    story:
      'Bare-metal kubeadm cluster, Service type LoadBalancer, kubectl shows EXTERNAL-IP <pending>. Remote access fails; I forwarded 32400 to the node.',
    observations: {
      'server.identity': identity(),
      'host.kubernetes': kubernetes({ services: [plexService({ loadBalancerIngress: [] })] }),
      'server.account': unreachable({ privateAddress: NODE_IP }),
      'server.prefs': prefs(),
      'probe.upnp': noIgd(),
      'probe.natpmp': noNatPmp(),
    },
    expect: { verdict: 'problems', cause: 'kubernetes-lb-pending' },
  },
  {
    id: 'k8s-rbac-refused-pod-range',
    story:
      'Plex in a pod with the default service account (it may not read Services). Clients get 10.42.3.4 and buffer through the Relay.',
    observations: {
      'server.identity': identity(),
      'host.kubernetes': rbacRefused(),
      'plextv.resources': advertises('10.42.3.4'),
      'server.prefs': prefs({ customConnections: '' }),
    },
    expect: {
      verdict: 'problems',
      cause: 'kubernetes-pod-address-advertised',
      candidates: ['container-address-advertised'],
    },
  },
  {
    id: 'k8s-declared-only-kubeadm-service-range',
    story:
      'Run from my laptop with --kubernetes. plex.tv lists the server at 10.96.0.15 (I put the Service clusterIP in Custom URLs) and nothing else.',
    observations: {
      'server.identity': identity(),
      'declared.kubernetes': ok({ via: 'flag', kubernetes: true }),
      'plextv.resources': advertises('10.96.0.15'),
      'server.prefs': prefs({ customConnections: 'http://10.96.0.15:32400' }),
    },
    expect: { verdict: 'problems', cause: 'kubernetes-pod-address-advertised' },
  },
  {
    id: 'remote-works-no-plex-pass',
    story:
      'Remote Access page is green ("Fully accessible outside your network"), but my friends get "a Remote Watch Pass is required" when they press play. I have no Plex Pass. Is my port forward broken?',
    observations: {
      'server.identity': identity(),
      'server.account': account({ subscriptionActive: false, subscriptionState: 'Unknown' }),
      'declared.remoteAccess': ok({ via: 'flag', failsFromOutside: true }),
      'server.prefs': prefs(),
    },
    expect: { verdict: 'problems', candidates: ['remote-streaming-entitlement'] },
  },
]);
