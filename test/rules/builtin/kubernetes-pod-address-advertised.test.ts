import rule from '../../../src/rules/builtin/kubernetes-pod-address-advertised.js';
import type { Observation } from '../../../src/core/observation.js';
import { HOME, accountValue, deviceValue, ok, prefsValue, resourcesValue } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';
import {
  CLUSTER_IP,
  LB_IP,
  NODE_IP,
  POD_IP,
  kubernetes,
  plexService,
  rbacRefused,
} from '../../rules/support/kubernetes.js';

type O = Record<string, Observation>;
/** plex.tv lists these as the server's local connections (plus the Relay). */
const advertises =
  (...addresses: string[]) =>
  (o: O) =>
    void (o['plextv.resources'] = ok(
      resourcesValue(
        deviceValue({
          connections: [
            ...addresses.map((address) => ({ address, local: true })),
            { address: HOME.relay, port: 8443, relay: true },
          ],
        }),
      ),
    ));
const inPod =
  (value: Observation = kubernetes()) =>
  (o: O) =>
    void (o['host.kubernetes'] = value);
const declared = (o: O) => void (o['declared.kubernetes'] = ok({ via: 'flag', kubernetes: true }));
const all =
  (...steps: ((o: O) => void)[]) =>
  (o: O) =>
    steps.forEach((step) => step(o));

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: a LAN address is advertised', evidence: /no pod or cluster address/ },
    {
      name: 'in a pod, but Plex advertises the node address',
      observations: all(inPod(), advertises(NODE_IP)),
      evidence: /192\.168\.1\.20/,
    },
    {
      name: 'hostNetwork: true: the pod address is the node address',
      observations: all(inPod(kubernetes({ hostNetwork: true })), advertises('10.42.0.9')),
      evidence: /hostNetwork/,
    },
    {
      name: 'ADVERTISE_IP already publishes the load balancer',
      observations: all(
        inPod(),
        advertises(POD_IP),
        (o) => void (o['server.prefs'] = ok(prefsValue({ customConnections: `http://${LB_IP}:32400` }))),
      ),
      evidence: /customConnections publishes/,
    },
  ],
  invalid: [
    {
      name: "plex.tv hands out this pod's own address (read from the API)",
      observations: all(inPod(), advertises(POD_IP)),
      expect: [
        {
          messageId: 'podAddressAdvertised',
          confidence: 'high',
          data: { address: POD_IP },
          fixId: 'advertiseReachableUrl',
          mentions: [`http://${LB_IP}:32400`, 'hostNetwork: true', 'ADVERTISE_IP'],
        },
      ],
    },
    {
      name: "the Service's clusterIP published as a custom URL's address",
      observations: all(inPod(), advertises(CLUSTER_IP)),
      expect: [{ messageId: 'podAddressAdvertised', confidence: 'high', mentions: ['clusterIP of Service plex'] }],
    },
    {
      name: 'the private address the server reports is in the pod network; NodePort: publish the node',
      observations: all(
        inPod(kubernetes({ services: [plexService({ type: 'NodePort', loadBalancerIngress: [] })] })),
        (o) => (delete o['plextv.resources'], (o['server.account'] = ok(accountValue({ privateAddress: POD_IP })))),
      ),
      expect: [{ messageId: 'podAddressAdvertised', mentions: [`http://${NODE_IP}:31400`] }],
    },
    {
      name: 'only declared (--kubernetes) and a kubeadm Service-range address: weaker',
      observations: all(declared, advertises('10.96.0.15')),
      expect: [
        {
          messageId: 'podAddressAdvertised',
          confidence: 'medium',
          mentions: ['10.96.0.0/12', '<load-balancer or node address>'],
        },
      ],
    },
    {
      name: 'RBAC refused the API: the default k3s pod range still counts, from the pod detection',
      observations: all(inPod(rbacRefused()), advertises('10.42.3.4')),
      expect: [{ messageId: 'podAddressAdvertised', confidence: 'medium', mentions: ['10.42.0.0/16'] }],
    },
  ],
  notChecked: [
    {
      name: "neither plex.tv's list nor the server's private address was read",
      observations: (o) => (delete o['plextv.resources'], delete o['server.account']),
      reason: /was not read/,
      howToCheck: /token/,
    },
    {
      name: 'a pod-range address, but nothing says Kubernetes: container-address-advertised speaks',
      observations: advertises('10.42.0.17'),
      reason: /nothing says this server runs in Kubernetes/,
      howToCheck: /--kubernetes/,
    },
  ],
});
