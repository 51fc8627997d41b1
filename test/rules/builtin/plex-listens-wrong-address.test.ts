import rule from '../../../src/rules/builtin/plex-listens-wrong-address.js';
import type { HostListenValue } from '../../../src/collect/values/host.js';
import type { Observation } from '../../../src/core/observation.js';
import { accountValue, ok, skipped } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
type Socket = HostListenValue['sockets'][number];
const unreachable = (o: O): void => {
  o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
  );
};
const socket = (address: string, scope: Socket['scope'], family: 4 | 6 = 4): Socket => ({
  address,
  family,
  port: 32400,
  scope,
});
const listening =
  (...sockets: Socket[]) =>
  (o: O) =>
    void (o['host.listen'] = ok({ port: 32400, portSource: 'server.account privatePort', sockets, notes: [] }));

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'every address (0.0.0.0)',
      observations: (o) => (unreachable(o), listening(socket('0.0.0.0', 'all'))(o)),
      evidence: /0\.0\.0\.0:32400/,
    },
    {
      name: 'every address through :: (dual stack)',
      observations: (o) => (unreachable(o), listening(socket('::', 'all', 6))(o)),
      evidence: /\[::\]:32400/,
    },
    {
      name: "bound to the server's own LAN address, which the forward targets",
      observations: (o) => (
        unreachable(o),
        listening(socket('192.168.1.10', 'address'), socket('127.0.0.1', 'loopback'))(o)
      ),
      evidence: /192\.168\.1\.10/,
    },
    {
      name: 'loopback only, but plex.tv connects (a proxy on this host in front of it)',
      observations: listening(socket('127.0.0.1', 'loopback')),
      evidence: /mappingState=mapped/,
    },
  ],
  invalid: [
    {
      name: 'docker-proxy publishing on 127.0.0.1 only (compose `127.0.0.1:32400:32400`), remote failing',
      observations: (o) => (
        unreachable(o),
        listening({ ...socket('127.0.0.1', 'loopback'), owner: 'docker-proxy' })(o)
      ),
      expect: [{ messageId: 'loopbackOnly', fixId: 'listenEverywhere' }],
    },
    {
      name: 'loopback only (a container published on 127.0.0.1), remote failing: high',
      observations: (o) => (
        unreachable(o),
        listening(socket('127.0.0.1', 'loopback'), socket('::1', 'loopback', 6))(o)
      ),
      expect: [
        {
          messageId: 'loopbackOnly',
          confidence: 'high',
          data: { port: 32400, listening: '127.0.0.1:32400, [::1]:32400', server: '192.168.1.10' },
          fixId: 'listenEverywhere',
          mentions: ['-p 32400:32400'],
        },
      ],
    },
    {
      name: 'partial evidence: loopback only, remote state unknown: medium',
      observations: (o) => {
        o['server.account'] = ok(accountValue({ mappingState: undefined, mappingError: undefined }));
        delete o['server.root'];
        listening(socket('127.0.0.1', 'loopback'))(o);
      },
      expect: [{ messageId: 'loopbackOnly', confidence: 'medium' }],
    },
    {
      name: 'bound to an old address (the DHCP lease moved): the forward targets 192.168.1.10',
      observations: (o) => (unreachable(o), listening(socket('192.168.1.23', 'address'))(o)),
      expect: [
        {
          messageId: 'otherAddress',
          data: { listening: '192.168.1.23:32400', server: '192.168.1.10' },
          fixId: 'forwardToListening',
          mentions: ['192.168.1.23:32400'],
        },
      ],
    },
  ],
  notChecked: [
    {
      name: 'another OS: not checked on this platform',
      observations: (o) =>
        void (o['host.listen'] = skipped("not checked on this platform (darwin): only Linux's /proc/net/tcp is read")),
      reason: /not checked on this platform/,
    },
    {
      name: 'nothing listens on the port here (Plex in a container without host networking)',
      observations: listening(),
      reason: /Plex runs in a container or another namespace/,
    },
    {
      name: 'one specific address, and no way to know what the forward targets (no token, no plex.tv)',
      observations: (o) => {
        delete o['server.account'];
        delete o['server.root'];
        delete o['plextv.resources'];
        listening(socket('10.9.9.9', 'address'))(o);
      },
      snapshot: { target: { url: 'http://127.0.0.1:32400' } },
      reason: /the address the forward targets is unknown/,
    },
    {
      name: 'the port is held by sshd (a tunnel to the real server): where Plex listens is unknown here',
      observations: (o) => (unreachable(o), listening({ ...socket('127.0.0.1', 'loopback'), owner: 'sshd' })(o)),
      reason: /held by sshd, not Plex Media Server/,
    },
    { name: 'not collected', observations: (o) => void delete o['host.listen'], reason: /were not read/ },
  ],
});
