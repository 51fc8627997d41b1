/**
 * Evidence from a reflector outside (issue 13): what owners report after a port check from a VPS or a friend's
 * server, with only the evidence such a run has. Hairpin-only success, and a check that saw another of the home's
 * addresses, must never turn a broken setup into "ok".
 */
import { HOME, upnpValue, ok } from '../../src/testing/observations.js';
import { OTHER_SERVER, forwardPort, frontDoorPort, outside, plexPort } from '../helpers/outside.js';
import { defineCases, identity, noToken, prefs, unreachable, upnp } from './define.js';

/** 32400 open from outside, and what answers /identity is a router's login page. */
const loginPage = {
  ...plexPort(),
  identity: { status: 'ok' as const, httpStatus: 200, bodyKind: 'html' as const, title: 'Router login' },
};
const noTokenContext = { context: { tokenProvided: false, plexTv: true, experiments: [] } };

export default defineCases([
  {
    id: 'reflector-isp-filters-32400',
    story:
      'Forward 32400 → server is right, WAN IP is public. A port check from my VPS: 32400 times out, my 8443 forward to the same box answers.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable({ publicAddress: HOME.wan }),
      'server.prefs': prefs({ ManualPortMappingMode: true, ManualPortMappingPort: 32400 }),
      'probe.upnp': upnp(),
      'probe.outside': outside({ ports: [plexPort('filtered'), forwardPort(8443)] }),
    },
    expect: { verdict: 'problems', cause: 'isp-blocks-port' },
  },
  {
    id: 'reflector-forward-to-old-server',
    story:
      'Moved Plex to a new box last month. From outside 32400 answers, but the old machine answers it (it still runs Plex).',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'probe.outside': outside({ ports: [plexPort('open', OTHER_SERVER)] }),
    },
    expect: { verdict: 'problems', cause: 'forward-reaches-other-host' },
  },
  {
    id: 'reflector-router-login-page',
    story:
      'Port checker says 32400 is open, yet nothing connects. Opening it from outside shows my router’s login page.',
    observations: {
      'server.identity': identity(),
      'server.account': noToken(),
      'probe.outside': outside({ ports: [loginPage] }),
    },
    snapshot: noTokenContext,
    expect: { verdict: 'problems', cause: 'forward-reaches-other-host' },
  },
  {
    id: 'reflector-host-refuses-internet',
    story:
      'UPnP lists 32400 → server. From my VPS 32400 is "connection refused", SSH on 22 through the same router works.',
    observations: {
      'server.identity': identity(),
      'server.account': noToken(),
      'server.prefs': noToken(),
      'probe.upnp': upnp(),
      'probe.outside': outside({ ports: [plexPort('refused'), forwardPort(22)] }),
    },
    snapshot: noTokenContext,
    expect: { verdict: 'problems', cause: 'outside-port-closed' },
  },
  {
    id: 'reflector-forward-missing',
    story: 'UPnP shows the Xbox and qBittorrent only. From outside 32400 is refused, my 443 web server answers.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable(),
      'server.prefs': prefs(),
      'probe.upnp': ok(
        upnpValue({
          mappings: [{ externalPort: 3074, internalClient: '192.168.1.40', internalPort: 3074, description: 'Xbox' }],
        }),
      ),
      'probe.outside': outside({ ports: [plexPort('refused'), forwardPort(443)] }),
    },
    expect: { verdict: 'problems', cause: 'outside-port-closed' },
  },
  {
    id: 'reflector-front-door-to-other-host',
    story: 'I run nginx on 443 in front of Plex. From outside, 443 answers with another Plex server’s identity.',
    observations: {
      'server.identity': identity(),
      'server.account': noToken(),
      'probe.outside': outside({ ports: [plexPort('filtered'), frontDoorPort(443, OTHER_SERVER)] }),
    },
    snapshot: noTokenContext,
    expect: { verdict: 'problems', cause: 'forward-reaches-other-host' },
  },
  {
    id: 'hairpin-only-success-no-token',
    story:
      'Opening http://<my public ip>:32400 from home works, so the forward is fine? (The check ran through NAT loopback.)',
    observations: {
      'server.identity': identity(),
      'server.account': noToken(),
      'server.prefs': noToken(),
      'probe.outside': outside({ vantage: 'hairpin', ports: [plexPort()] }),
    },
    snapshot: noTokenContext,
    expect: { verdict: 'inconclusive' },
  },
  {
    id: 'hairpin-only-success-plex-fails',
    story: 'From home my public address answers on 32400; Plex says not available outside; forward and WAN look fine.',
    observations: {
      'server.identity': identity(),
      'server.account': unreachable({ publicAddress: HOME.wan }),
      'server.prefs': prefs({ ManualPortMappingMode: true, ManualPortMappingPort: 32400 }),
      'probe.upnp': upnp(),
      'probe.outside': outside({ vantage: 'hairpin', ports: [plexPort()] }),
    },
    expect: { verdict: 'problems', cause: 'isp-blocks-port' },
  },
  {
    id: 'reflector-saw-other-wan',
    story: 'Two WAN links. The reflector got in on 32400, but it saw my second line’s address; Plex uses the first.',
    observations: {
      'server.identity': identity(),
      'server.account': noToken(),
      'probe.outside': outside({ source: '84.9.9.9', ports: [plexPort()] }),
    },
    snapshot: noTokenContext,
    expect: { verdict: 'inconclusive' },
  },
]);
