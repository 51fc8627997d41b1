import rule from '../../../src/rules/builtin/custom-url-problem.js';
import type { Observation } from '../../../src/core/observation.js';
import { ConnectionsValue, type ProbedConnection } from '../../../src/collect/values/connections.js';
import type { FixAction } from '../../../src/rules/types.js';
import {
  HOME,
  deviceValue,
  failed,
  hostValue,
  ok,
  prefsValue,
  probedConnection,
  resourcesValue,
  skipped,
} from '../../../src/testing/observations.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
type Probed = Parameters<typeof probedConnection>[0];

const TIMEOUT = { code: 'ETIMEDOUT', phase: 'timeout' };
const REFUSED = { code: 'ECONNREFUSED', phase: 'connect' };
const custom = (value: string) => (o: O) => void (o['server.prefs'] = ok(prefsValue({ customConnections: value })));
/** The entry rewritten with its port (composed with other edits by the fix planner). */
const addPort = (from: string, to: string): FixAction[] => [
  { type: 'edit-list', pref: 'customConnections', replace: [{ from, to }] },
];

/** What probing each custom URL found (`address` is the URL's host), after plex.tv's usual three connections. */
const probed =
  (...specs: (Omit<Probed, 'address'> & { uri: string; tweak?: (c: ProbedConnection) => void })[]) =>
  (o: O) => {
    const customs = specs.map(({ tweak, ...spec }) => {
      const connection = probedConnection({ ...spec, address: new URL(spec.uri).hostname.replace(/^\[(.*)\]$/, '$1') });
      tweak?.(connection);
      return connection;
    });
    const plexTv = [
      probedConnection({ address: HOME.server, local: true }),
      probedConnection({ address: HOME.wan }),
      probedConnection({ address: HOME.relay, port: 8443, relay: true }),
    ];
    o['probe.connections'] = ok(ConnectionsValue.parse({ connections: [...plexTv, ...customs] }));
  };
/** /identity answered with something that is not a Plex identity. */
const answered =
  (status: number, bodyKind: 'html' | 'other' | 'empty', extra: { title?: string; server?: string } = {}) =>
  (c: ProbedConnection) => {
    if (c.identity?.status !== 'ok') return;
    const { machineIdentifier: _id, identityMatches: _matches, ...rest } = c.identity.value;
    c.identity.value = { ...rest, status, bodyKind, ...extra };
  };
const selfSigned = (c: ProbedConnection) => {
  if (c.identity?.status === 'ok')
    c.identity.value.tls = { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' };
};
const elsewhere = (o: O) => void (o['probe.host'] = ok(hostValue({ address: '10.0.0.5' })));
const noLoopback = (o: O) =>
  void (o['plextv.resources'] = ok(resourcesValue(deviceValue({ natLoopbackSupported: false }))));
const PROXY = 'https://plex.example.com:443';

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: no custom URLs' },
    {
      name: 'a reverse-proxy URL with its port, answering as this server',
      observations: all(custom(PROXY), probed({ uri: PROXY })),
    },
    {
      name: 'a URL with user, port and path, not probed',
      observations: all(
        custom('https://user@plex.example.com:8443/plex'),
        (o) => void (o['probe.connections'] = skipped('--only lan')),
      ),
    },
    {
      name: 'an explicit IPv6 port',
      observations: all(custom('http://[2001:db8::10]:32400'), probed({ uri: 'http://[2001:db8::10]:32400' })),
    },
  ],
  invalid: [
    {
      name: 'an https URL without a port; the default port answers as this server, so the fix is applied',
      observations: all(custom('https://plex.example.com'), probed({ uri: 'https://plex.example.com' })),
      expect: [
        {
          messageId: 'noPort',
          confidence: 'high',
          data: { entry: 'https://plex.example.com', defaultPort: 443 },
          fixId: 'addPort',
          actions: addPort('https://plex.example.com', 'https://plex.example.com:443'),
        },
      ],
    },
    {
      name: 'the corrected list keeps the other entries as written, paths included',
      observations: all(
        custom('http://192.168.1.10:32400,https://plex.example.com/plex/'),
        probed({ uri: 'http://192.168.1.10:32400' }, { uri: 'https://plex.example.com/plex/' }),
      ),
      expect: [
        {
          messageId: 'noPort',
          actions: addPort('https://plex.example.com/plex/', 'https://plex.example.com:443/plex/'),
        },
      ],
    },
    {
      name: 'IPv6 without a port, not probed: the corrected list is shown, not applied',
      observations: all(custom('http://[2001:db8::10]'), (o) => void (o['probe.connections'] = skipped('--only lan'))),
      expect: [
        {
          messageId: 'noPort',
          data: { defaultPort: 80 },
          fixId: 'addPortUnconfirmed',
          actions: [],
          mentions: ['http://[2001:db8::10]:80', 'could not confirm'],
        },
      ],
    },
    {
      name: 'an IP and port without a scheme',
      observations: custom('192.168.1.10:32400'),
      expect: [
        {
          messageId: 'notAUrl',
          confidence: 'high',
          data: { entry: '192.168.1.10:32400' },
          fixId: 'fixEntry',
          mentions: ['such as http://192.168.1.10:32400'],
        },
      ],
    },
    {
      name: 'a name and port without a scheme (it parses as a URL with scheme "plex.example.com:")',
      observations: custom('plex.example.com:32400'),
      expect: [{ messageId: 'notAUrl', mentions: ['such as https://plex.example.com:32400'] }],
    },
    {
      name: 'a proxy URL that times out from another network: medium',
      observations: all(custom(PROXY), probed({ uri: PROXY, tcp: TIMEOUT, identity: TIMEOUT }), elsewhere),
      expect: [
        {
          messageId: 'unreachable',
          confidence: 'medium',
          data: { failure: 'TCP ETIMEDOUT, phase timeout', loopbackNote: '' },
          fixId: 'checkPath',
        },
      ],
    },
    {
      name: 'a URL on the public name that fails from inside the LAN, and the router has no NAT loopback: low, with a note',
      observations: all(custom(PROXY), probed({ uri: PROXY, tcp: TIMEOUT, identity: TIMEOUT }), noLoopback),
      expect: [{ messageId: 'unreachable', confidence: 'low', mentions: ['NAT loopback', 'natLoopbackSupported=0'] }],
    },
    {
      name: 'a LAN URL refused from inside the LAN: medium, no loopback note',
      observations: all(
        custom('http://192.168.1.50:32400'),
        probed({ uri: 'http://192.168.1.50:32400', tcp: REFUSED, identity: REFUSED }),
      ),
      expect: [
        {
          messageId: 'unreachable',
          confidence: 'medium',
          data: { failure: 'TCP ECONNREFUSED, phase connect', loopbackNote: '' },
        },
      ],
    },
    {
      name: 'the URL reaches another Plex server',
      observations: all(custom(PROXY), probed({ uri: PROXY, identity: 'mismatch' })),
      expect: [
        {
          messageId: 'otherServer',
          confidence: 'high',
          data: { found: 'ffffffffffffffffffffffffffffffffffffffff', expected: HOME.machineIdentifier },
          fixId: 'pointToThisServer',
          mentions: ['192.168.1.10:32400'],
        },
      ],
    },
    {
      name: 'the proxy serves its default page',
      observations: all(
        custom(PROXY),
        probed({ uri: PROXY, tweak: answered(200, 'html', { title: 'Welcome to nginx!', server: 'nginx' }) }),
      ),
      expect: [
        {
          messageId: 'notPlex',
          confidence: 'high',
          fixId: 'fixProxy',
          mentions: ['Welcome to nginx!', 'Server: nginx', 'http://192.168.1.10:32400'],
        },
      ],
    },
    {
      name: 'the proxy answers 404',
      observations: all(custom(PROXY), probed({ uri: PROXY, tweak: answered(404, 'other') })),
      expect: [{ messageId: 'notPlex', mentions: ['HTTP 404'] }],
    },
    {
      name: 'TLS fails on the custom URL',
      observations: all(
        custom(PROXY),
        probed({ uri: PROXY, identity: { code: 'ERR_TLS_CERT_ALTNAME_INVALID', phase: 'tls' } }),
      ),
      expect: [
        {
          messageId: 'badTls',
          confidence: 'medium',
          data: { reason: 'ERR_TLS_CERT_ALTNAME_INVALID' },
          fixId: 'fixCertificate',
        },
      ],
    },
    {
      name: 'this server answers, with a self-signed certificate',
      observations: all(custom(PROXY), probed({ uri: PROXY, tweak: selfSigned })),
      expect: [{ messageId: 'badTls', data: { reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }],
    },
    {
      name: 'no port and unreachable on the default one: both, and the fix is not applied',
      observations: all(
        custom('https://plex.example.com'),
        probed({ uri: 'https://plex.example.com', tcp: TIMEOUT, identity: TIMEOUT }),
        elsewhere,
      ),
      expect: [{ messageId: 'noPort', fixId: 'addPortUnconfirmed', actions: [] }, { messageId: 'unreachable' }],
    },
  ],
  notChecked: [
    {
      name: 'prefs not readable',
      observations: (o) => void (o['server.prefs'] = failed('PLEXDIAG_TIMEOUT', 'timed out', { phase: 'timeout' })),
      reason: /needs server.prefs/,
    },
  ],
});
