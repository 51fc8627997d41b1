import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import rule from '../../../src/rules/builtin/container-address-advertised.js';
import type { Observation } from '../../../src/core/observation.js';
import { ConnectionsValue } from '../../../src/collect/values/connections.js';
import { HostInfo } from '../../../src/probes/host/index.js';
import { PlexDeviceList, withoutSecrets } from '../../../src/clients/plextv/index.js';
import {
  HOME,
  accountValue,
  deviceValue,
  failed,
  hostValue,
  ok,
  prefsValue,
  probedConnection,
  resourcesValue,
  skipped,
  type ConnectionSpec,
} from '../../../src/testing/observations.js';
import type { FixAction } from '../../../src/rules/types.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
type Probed = Parameters<typeof probedConnection>[0];

const TIMEOUT = { code: 'ETIMEDOUT', phase: 'timeout' };
const WAN_AND_RELAY: ConnectionSpec[] = [{ address: HOME.wan }, { address: HOME.relay, port: 8443, relay: true }];

/** plex.tv lists these local addresses (plus the WAN and relay connections), on a device named `device`. */
const advertises =
  (locals: string[], device = 'PC') =>
  (o: O) => {
    o['plextv.resources'] = ok(
      resourcesValue(
        deviceValue({
          device,
          connections: [...locals.map((address) => ({ address, local: true })), ...WAN_AND_RELAY],
        }),
      ),
    );
  };
/** plex.tv lists the container address plus a custom URL the owner published (what ADVERTISE_IP makes it list). */
const advertisesWithCustom = (locals: string[], url: string) => (o: O) => {
  const address = new URL(url).hostname;
  o['plextv.resources'] = ok(
    resourcesValue(
      deviceValue({
        device: 'Docker Container',
        connections: [
          ...locals.map((a) => ({ address: a, local: true })),
          { address, port: Number(new URL(url).port), uri: url, local: false },
          ...WAN_AND_RELAY,
        ],
      }),
    ),
  );
};
/** --no-plextv: no list from plex.tv, so the probes saw none of its connections either. */
const plextvNotRead = (o: O) => {
  o['plextv.resources'] = skipped('--no-plextv');
  o['probe.connections'] = skipped('needs plextv.resources');
};
const probes =
  (...specs: Probed[]) =>
  (o: O) => {
    o['probe.connections'] = ok(
      ConnectionsValue.parse({
        connections: [...specs, { address: HOME.wan }, { address: HOME.relay, port: 8443, relay: true }].map(
          probedConnection,
        ),
      }),
    );
  };
const laptopOnLan = (o: O) => void (o['probe.host'] = ok(hostValue({ address: '192.168.1.20' })));
const laptopElsewhere = (o: O) => void (o['probe.host'] = ok(hostValue({ address: '10.0.0.5' })));
const custom = (value: string) => (o: O) => void (o['server.prefs'] = ok(prefsValue({ customConnections: value })));

const iface = (name: string, address: string, cidr: string) => ({
  name,
  addresses: [{ address, family: 4, cidr, class: 'private', internal: false }],
});
/** A host's view: its interfaces, container bridges, and whether this run is inside a container. */
function host(
  interfaces: ReturnType<typeof iface>[],
  bridges: { interface: string; address: string }[] = [],
  inContainer = false,
): HostInfo {
  return HostInfo.parse({
    platform: 'linux',
    interfaces: [
      {
        name: 'lo',
        addresses: [{ address: '127.0.0.1', family: 4, cidr: '127.0.0.1/8', class: 'loopback', internal: true }],
      },
      ...interfaces,
    ],
    defaultRoutes: [],
    container: { inContainer, evidence: inContainer ? ['/.dockerenv exists'] : [] },
    bridges: bridges.map((b) => ({ ...b, network: 'docker' })),
    vpn: { active: false, evidence: [] },
    notes: [],
  });
}
const dockerHost = (o: O) =>
  void (o['probe.host'] = ok(
    host(
      [
        iface('eth0', HOME.server, `${HOME.server}/24`),
        iface('docker0', '172.17.0.1', '172.17.0.1/16'),
        iface('br-5e1f', '172.18.0.1', '172.18.0.1/16'),
      ],
      [
        { interface: 'docker0', address: '172.17.0.1' },
        { interface: 'br-5e1f', address: '172.18.0.1' },
      ],
    ),
  ));

/** The LAN URL appended to customConnections (composed with other edits by the fix planner). */
const lanAction = (url: string): FixAction[] => [{ type: 'edit-list', pref: 'customConnections', add: [url] }];

/** The sanitised plex-api.rs capture of a Docker server (local 172.18.0.3, a custom URL, a relay). */
function dockerCapture(o: O): void {
  const text = readFileSync(
    join(import.meta.dirname, '../../fixtures/plextv/plextv-api-v2-resources__plex-api-rs.json'),
    'utf8',
  );
  const device = PlexDeviceList.parse(JSON.parse(text))[0]!;
  o['plextv.resources'] = ok(resourcesValue(withoutSecrets(device) as never));
}

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: the local connection is the LAN address' },
    {
      name: 'pms-docker ADVERTISE_IP already publishes the LAN URL, and plex.tv lists it',
      observations: all(
        advertisesWithCustom(['172.18.0.3'], 'http://192.168.1.10:32400'),
        probes({ address: '172.18.0.3', local: true, tcp: TIMEOUT, identity: TIMEOUT }),
        laptopOnLan,
        custom('http://192.168.1.10:32400/'),
      ),
    },
    {
      name: 'ADVERTISE_IP set, plex.tv not read (--no-plextv): the LAN URL is the evidence',
      observations: all(
        plextvNotRead,
        (o) => void (o['server.account'] = ok(accountValue({ privateAddress: '172.17.0.2' }))),
        custom('http://192.168.1.10:32400/'),
      ),
    },
    {
      name: "plex.tv not read, but the server's private address is its LAN address",
      observations: all(
        plextvNotRead,
        (o) => void (o['server.account'] = ok(accountValue({ privateAddress: HOME.server }))),
      ),
    },
    {
      name: 'host networking also publishes docker0, but nothing failed from a LAN machine (run on the host)',
      observations: all(advertises([HOME.server, '172.17.0.1']), dockerHost),
    },
    {
      name: 'a home LAN that really uses 172.16.0.0/24: this LAN machine reaches the server there',
      observations: all(
        advertises(['172.16.0.10']),
        probes({ address: '172.16.0.10', local: true }),
        (o) => void (o['probe.host'] = ok(hostValue({ address: '172.16.0.20' }))),
      ),
      snapshot: { target: { url: 'http://172.16.0.10:32400' } },
    },
    {
      name: "AWS default VPC with host networking: 172.31.x is the host's own eth0",
      observations: all(
        advertises(['172.31.64.184'], 'Docker Container (LinuxServer.io)'),
        (o) => void (o['probe.host'] = ok(host([iface('eth0', '172.31.64.184', '172.31.64.184/20')]))),
      ),
      snapshot: { target: { url: 'http://172.31.64.184:32400' } },
    },
    {
      name: 'the container address alongside a LAN address, seen from elsewhere (a failure there proves nothing)',
      observations: all(
        advertises([HOME.server, '172.17.0.2']),
        probes({ address: '172.17.0.2', local: true, tcp: TIMEOUT, identity: TIMEOUT }),
        laptopElsewhere,
      ),
    },
    {
      name: 'plex.tv not readable and no probes',
      observations: (o) => {
        o['plextv.resources'] = skipped('no token');
        o['probe.connections'] = skipped('needs plextv.resources');
      },
    },
    { name: 'nothing was collected at all', observations: {} },
    {
      name: 'the container address answers TCP from the LAN but fails TLS: reachable, so not this finding',
      observations: all(
        advertises([HOME.server, '172.17.0.2']),
        probes({
          address: '172.17.0.2',
          local: true,
          identity: { code: 'ERR_SSL_WRONG_VERSION_NUMBER', phase: 'tls' },
        }),
        laptopOnLan,
      ),
    },
  ],
  invalid: [
    {
      name: 'the outage: Docker bridge, a laptop on the LAN cannot reach 172.18.0.3',
      observations: all(
        advertises(['172.18.0.3'], 'Docker Container'),
        probes({ address: '172.18.0.3', local: true, tcp: TIMEOUT, identity: TIMEOUT }),
        laptopOnLan,
      ),
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'high',
          data: { address: '172.18.0.3', runtime: 'Docker bridge network' },
          fixId: 'advertiseLanAddress',
          actions: lanAction('http://192.168.1.10:32400'),
          mentions: [
            'ADVERTISE_IP=http://192.168.1.10:32400/',
            '--network host',
            '-p 32400:32400/tcp',
            '-p 32414:32414/udp',
          ],
        },
      ],
    },
    {
      name: 'existing custom URLs are kept and the LAN URL appended',
      observations: all(
        advertises(['172.18.0.3']),
        probes({ address: '172.18.0.3', local: true, tcp: TIMEOUT, identity: TIMEOUT }),
        laptopOnLan,
        custom('https://plex.example.com:443'),
      ),
      expect: [
        { messageId: 'containerAddressOnly', confidence: 'high', actions: lanAction('http://192.168.1.10:32400') },
      ],
    },
    {
      name: 'the URL given was the LAN plex.direct name: its port and address are used',
      observations: all(
        advertises(['172.18.0.3']),
        probes({ address: '172.18.0.3', local: true, tcp: TIMEOUT, identity: TIMEOUT }),
        laptopOnLan,
      ),
      snapshot: { target: { url: `https://192-168-1-10.${HOME.certificateHash}.plex.direct:32401` } },
      expect: [{ messageId: 'containerAddressOnly', actions: lanAction('http://192.168.1.10:32401') }],
    },
    {
      name: "run on the Docker host: 172.18.0.3 answers there, but it sits on the host's br-5e1f bridge",
      observations: all(
        advertises(['172.18.0.3'], 'Docker Container'),
        probes({ address: '172.18.0.3', local: true }),
        dockerHost,
      ),
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'high',
          actions: lanAction('http://192.168.1.10:32400'),
          mentions: ['172.18.0.3'],
        },
      ],
    },
    {
      name: 'run inside the Plex container (docker exec, URL 127.0.0.1): its own address, LAN IP unknown so no action',
      observations: all(
        advertises(['172.18.0.3']),
        probes({ address: '172.18.0.3', local: true }),
        (o) => void (o['probe.host'] = ok(host([iface('eth0', '172.18.0.3', '172.18.0.3/16')], [], true))),
        (o) => void (o['server.account'] = ok(accountValue({ privateAddress: '172.18.0.3' }))),
      ),
      snapshot: { target: { url: 'http://127.0.0.1:32400' } },
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'high',
          actions: [],
          mentions: ["http://<the host's LAN IP>:32400"],
        },
      ],
    },
    {
      name: 'run on the host with URL 127.0.0.1: the LAN IP is suggested from eth0, not applied',
      observations: all(advertises(['172.18.0.3']), dockerHost),
      snapshot: { target: { url: 'http://127.0.0.1:32400' } },
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'high',
          actions: [],
          mentions: ['customConnections) = http://192.168.1.10:32400'],
        },
      ],
    },
    {
      name: 'Home Assistant add-on address seen from another network, nothing else known: low',
      observations: all(
        advertises(['172.30.33.5']),
        probes({ address: '172.30.33.5', local: true, tcp: TIMEOUT, identity: TIMEOUT }),
        laptopElsewhere,
      ),
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'low',
          data: { runtime: 'Home Assistant add-on network' },
          mentions: ['not offered by most Plex add-ons'],
        },
      ],
    },
    {
      name: 'plex.tv calls the device a Docker container, seen from another network: medium',
      observations: all(advertises(['172.18.0.3'], 'Docker Container (LinuxServer.io)'), laptopElsewhere),
      expect: [{ messageId: 'containerAddressOnly', confidence: 'medium' }],
    },
    {
      name: "k3s pod address off this LAN machine's subnet, connections not probed: medium",
      observations: all(
        advertises(['10.42.0.15']),
        laptopOnLan,
        (o) => void (o['probe.connections'] = skipped('--only lan')),
      ),
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'medium',
          data: { runtime: 'Kubernetes/k3s pod network' },
          mentions: ['hostNetwork: true'],
        },
      ],
    },
    {
      name: 'the real plex-api.rs Docker capture (local 172.18.0.3, custom example.org, relay), run on the host',
      observations: dockerCapture,
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'medium',
          data: { address: '172.18.0.3' },
          actions: lanAction('http://192.168.1.10:32400'),
        },
      ],
    },
    {
      name: 'two container addresses: one finding that lists both',
      observations: all(
        advertises(['172.17.0.2', '172.18.0.3']),
        probes(
          { address: '172.17.0.2', local: true, tcp: TIMEOUT, identity: TIMEOUT },
          { address: '172.18.0.3', local: true, tcp: TIMEOUT, identity: TIMEOUT },
        ),
        laptopOnLan,
      ),
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'high',
          data: { address: '172.17.0.2', addresses: '172.17.0.2, 172.18.0.3' },
        },
      ],
    },
    {
      name: 'prefs unreadable: the fix names the LAN URL but applies nothing (existing entries unknown)',
      observations: all(
        advertises(['172.18.0.3']),
        probes({ address: '172.18.0.3', local: true, tcp: TIMEOUT, identity: TIMEOUT }),
        laptopOnLan,
        (o) => void (o['server.prefs'] = failed('PLEXDIAG_AUTH', 'token missing or invalid')),
      ),
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'high',
          actions: [],
          mentions: ['= http://192.168.1.10:32400'],
        },
      ],
    },
    {
      name: 'ADVERTISE_IP is set, but plex.tv still hands out only 172.18.0.3: not stood down, told to republish',
      observations: all(
        advertises(['172.18.0.3'], 'Docker Container'),
        probes({ address: '172.18.0.3', local: true, tcp: TIMEOUT, identity: TIMEOUT }),
        laptopOnLan,
        custom('http://192.168.1.10:32400/'),
      ),
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'high',
          fixId: 'republish',
          actions: [],
          mentions: ['already lists http://192.168.1.10:32400/', 'still hands clients only 172.18.0.3', 'Restart'],
        },
      ],
    },
    {
      name: 'the Remote Access page says "Private 172.17.0.2:32400", plex.tv not read: low, from the account alone',
      observations: all(
        plextvNotRead,
        (o) => void (o['server.account'] = ok(accountValue({ privateAddress: '172.17.0.2' }))),
      ),
      expect: [
        {
          messageId: 'containerAddressOnly',
          confidence: 'low',
          data: { address: '172.17.0.2', runtime: 'Docker bridge network' },
          mentions: ['ADVERTISE_IP'],
        },
      ],
    },
    {
      name: "run inside the container, plex.tv not read: the account and the container's own eth0 agree (medium)",
      observations: all(
        plextvNotRead,
        (o) => void (o['server.account'] = ok(accountValue({ privateAddress: '172.18.0.3' }))),
        (o) => void (o['probe.host'] = ok(host([iface('eth0', '172.18.0.3', '172.18.0.3/16')], [], true))),
      ),
      snapshot: { target: { url: 'http://127.0.0.1:32400' } },
      expect: [{ messageId: 'containerAddressOnly', confidence: 'medium', data: { address: '172.18.0.3' } }],
    },
    {
      name: 'only the host probe, run inside the container: its own bridge address stands in for the list',
      observations: all(
        plextvNotRead,
        (o) => void (o['server.account'] = skipped('no token')),
        (o) => void (o['probe.host'] = ok(host([iface('eth0', '172.17.0.5', '172.17.0.5/16')], [], true))),
      ),
      snapshot: { target: { url: 'http://127.0.0.1:32400' } },
      expect: [{ messageId: 'containerAddressOnly', data: { address: '172.17.0.5' }, confidence: 'low' }],
    },
    {
      name: 'plex.tv lists the container address and the account says the same: medium from two sources',
      observations: all(
        advertises(['172.18.0.3']),
        laptopElsewhere,
        (o) => void (o['server.account'] = ok(accountValue({ privateAddress: '172.18.0.3' }))),
      ),
      expect: [{ messageId: 'containerAddressOnly', confidence: 'medium' }],
    },
    {
      name: 'host networking publishes docker0 too, and a LAN laptop cannot reach it',
      observations: all(
        advertises([HOME.server, '172.17.0.1']),
        probes(
          { address: HOME.server, local: true },
          { address: '172.17.0.1', local: true, tcp: TIMEOUT, identity: TIMEOUT },
        ),
        laptopOnLan,
      ),
      expect: [
        {
          messageId: 'containerAddressExtra',
          confidence: 'medium',
          data: { address: '172.17.0.1', lanAddresses: HOME.server },
          fixId: 'preferLanInterface',
          actions: [],
        },
      ],
    },
  ],
});
