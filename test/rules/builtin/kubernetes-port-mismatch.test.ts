import rule from '../../../src/rules/builtin/kubernetes-port-mismatch.js';
import type { Observation } from '../../../src/core/observation.js';
import { accountValue, ok, prefsValue } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';
import { NODE_IP, kubernetes, plexService, rbacRefused } from '../../rules/support/kubernetes.js';

type O = Record<string, Observation>;
const nodePortOnly = kubernetes({ services: [plexService({ type: 'NodePort', loadBalancerIngress: [] })] });
const failing = (o: O) =>
  void (o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
  ));
const manualPort = (port: number) => (o: O) =>
  void (o['server.prefs'] = ok(prefsValue({ ManualPortMappingMode: true, ManualPortMappingPort: port })));
const forward = (externalPort: number, host: string, internalPort: number) => (o: O) =>
  void (o['declared.forwards'] = ok({ via: 'flag', forwards: [{ externalPort, host, internalPort }] }));

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'plex.tv reached the server: whatever the ports, they line up',
      observations: (o) => void (o['host.kubernetes'] = nodePortOnly),
      evidence: /mappingState=mapped/,
    },
    {
      name: 'LoadBalancer on 32400 and Plex publishes 32400',
      observations: (o) => (failing(o), manualPort(32400)(o), (o['host.kubernetes'] = kubernetes())),
      evidence: /public port 32400/,
    },
    {
      name: 'NodePort 31400, the router translates 32400 → node:31400 (as the owner says)',
      observations: (o) => (
        failing(o),
        manualPort(32400)(o),
        forward(32400, NODE_IP, 31400)(o),
        (o['host.kubernetes'] = nodePortOnly)
      ),
      evidence: /forward 32400 → 192\.168\.1\.20:31400/,
    },
    {
      name: 'hostNetwork: no Service in the way',
      observations: (o) => (failing(o), (o['host.kubernetes'] = kubernetes({ hostNetwork: true }))),
      evidence: /hostNetwork/,
    },
  ],
  invalid: [
    {
      name: "NodePort 31400, Plex's manual public port 32400, Plex's check fails",
      observations: (o) => (failing(o), manualPort(32400)(o), (o['host.kubernetes'] = nodePortOnly)),
      expect: [
        {
          messageId: 'publicPortNotExposed',
          confidence: 'medium',
          data: { publicPort: 32400, exposed: '31400', target: `${NODE_IP}:31400` },
          fixId: 'forwardToService',
        },
      ],
    },
    {
      name: 'the router forwards 32400 to the node on 32400, the Service exposes 31400',
      observations: (o) => (
        failing(o),
        manualPort(32400)(o),
        forward(32400, NODE_IP, 32400)(o),
        (o['host.kubernetes'] = nodePortOnly)
      ),
      expect: [{ messageId: 'forwardMissesService', data: { forwardPort: 32400, exposed: '31400' } }],
    },
    {
      name: 'only the default port is known (no prefs): low confidence',
      observations: (o) => (failing(o), delete o['server.prefs'], (o['host.kubernetes'] = nodePortOnly)),
      expect: [{ messageId: 'publicPortNotExposed', confidence: 'low' }],
    },
  ],
  notChecked: [
    { name: 'not run in the pod', reason: /not inside the Plex pod/ },
    {
      name: 'RBAC refused',
      observations: (o) => (failing(o), (o['host.kubernetes'] = rbacRefused())),
      reason: /RBAC/,
    },
    {
      name: 'only a ClusterIP Service (an Ingress maybe): not read',
      observations: (o) => (
        failing(o),
        (o['host.kubernetes'] = kubernetes({ services: [plexService({ type: 'ClusterIP', loadBalancerIngress: [] })] }))
      ),
      reason: /no NodePort or LoadBalancer Service/,
    },
    {
      name: "ports differ, Plex's check has no result, the router's forward unknown",
      observations: (o) => (
        delete o['server.account'],
        delete o['server.root'],
        manualPort(32400)(o),
        (o['host.kubernetes'] = nodePortOnly)
      ),
      reason: /only if the router forwards 32400/,
      howToCheck: /--forward/,
    },
  ],
});
