/**
 * Builds a scenario's networks: namespaces, veth pairs, addresses, routes, forwarding and nft rulesets.
 * Every veth is created directly inside its two namespaces (`ip -n A link add X type veth peer name Y netns B`), so
 * nothing ever appears in the root namespace and labs with different prefixes cannot clash (docs/reference/netlab.md
 * "Topology"). Interface names are never one letter: `ip link add a ...` parses `a` as the `address` keyword
 * (docs/reference/netlab.md "What failed" 5).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from './command.js';
import { containerHostRuleset, homeRouterRuleset, ispRuleset } from './nft.js';
import { LAB_ADDRESSES as A, LAB_IPV6 as V6, rolesOf, type LabRole, type NormalizedScenario } from './scenario.js';

interface Link {
  a: LabRole;
  aName: string;
  b: LabRole;
  bName: string;
}

interface BoxConfig {
  addresses: { dev: string; cidr: string }[];
  routes: string[];
  forwarding: boolean;
  /** `ipv6: true` labs: the box routes IPv6 too. */
  ipv6Forwarding?: boolean;
  ruleset?: string;
}

export function namespaceName(prefix: string, role: LabRole): string {
  return `${prefix}-${role}`;
}

function linksOf(scenario: NormalizedScenario): Link[] {
  const links: Link[] = [{ a: 'lan', aName: 'eth0', b: 'rtr', bName: 'lan0' }];
  if (scenario.wan === 'double-nat') {
    links.push(
      { a: 'rtr', aName: 'wan0', b: 'modem', bName: 'lan0' },
      { a: 'modem', aName: 'wan0', b: 'isp', bName: 'cust0' },
    );
  } else {
    links.push({ a: 'rtr', aName: 'wan0', b: 'isp', bName: 'cust0' });
  }
  links.push({ a: 'isp', aName: 'up0', b: 'inet', bName: 'isp0' });
  if (scenario.container) links.push({ a: 'lan', aName: 'docker0', b: 'ctr', bName: 'eth0' });
  return links;
}

function boxesOf(scenario: NormalizedScenario): Partial<Record<LabRole, BoxConfig>> {
  const container = scenario.container;
  const wan = {
    public: { rtr: `${A.homePublic}/24`, gateway: A.ispCustomerGateway, isp: `${A.ispCustomerGateway}/24` },
    'double-nat': { rtr: `${A.doubleNatRouterWan}/24`, gateway: A.modemLan, isp: `${A.ispCustomerGateway}/24` },
    cgnat: { rtr: `${A.cgnatRouterWan}/10`, gateway: A.cgnatGateway, isp: `${A.cgnatGateway}/10` },
  }[scenario.wan];
  const boxes: Partial<Record<LabRole, BoxConfig>> = {
    lan: {
      addresses: [
        { dev: 'eth0', cidr: `${A.lanHost}/24` },
        ...(container ? [{ dev: 'docker0', cidr: `${container.hostAddress}/${container.prefixLength}` }] : []),
      ],
      // The default route matters for UPnP too: SSDP multicast egress follows it (docs/reference/netlab.md "What
      // failed" 3).
      routes: [`default via ${A.routerLan}`],
      forwarding: container !== undefined,
      ...(container ? { ruleset: containerHostRuleset(container, A.lanHost) } : {}),
    },
    rtr: {
      addresses: [
        { dev: 'lan0', cidr: `${A.routerLan}/24` },
        { dev: 'wan0', cidr: wan.rtr },
      ],
      routes: [`default via ${wan.gateway}`],
      forwarding: true,
      // `ipv6: true`: the router's IPv6 firewall lets TCP 32400 in to the server (the pinhole a working setup has).
      ruleset: homeRouterRuleset(scenario.router.forwards, scenario.ipv6 ? [{ address: V6.lanHost, port: 32400 }] : []),
    },
    isp: {
      addresses: [
        { dev: 'cust0', cidr: wan.isp },
        { dev: 'up0', cidr: `${A.ispPublic}/30` },
      ],
      routes: [`default via ${A.internetUplink}`],
      forwarding: true,
      ruleset: ispRuleset(scenario) || undefined,
    },
    inet: {
      addresses: [
        { dev: 'isp0', cidr: `${A.internetUplink}/30` },
        // /32s on lo stand in for hosts on the internet (no CONFIG_DUMMY on this kernel: docs/reference/netlab.md "What
        // failed" 4).
        { dev: 'lo', cidr: `${A.plexTv}/32` },
        { dev: 'lo', cidr: `${A.plexDirectDns}/32` },
        { dev: 'lo', cidr: `${A.remoteClient}/32` },
      ],
      routes: ['84.1.0.0/16 via 84.0.0.1'],
      forwarding: false,
    },
  };
  if (scenario.wan === 'double-nat') {
    boxes.modem = {
      addresses: [
        { dev: 'lan0', cidr: `${A.modemLan}/24` },
        { dev: 'wan0', cidr: `${A.homePublic}/24` },
      ],
      routes: [`default via ${A.ispCustomerGateway}`],
      forwarding: true,
      ruleset: homeRouterRuleset(scenario.modem.forwards),
    };
  }
  if (scenario.ipv6) addIpv6(scenario, boxes);
  if (container) {
    boxes.ctr = {
      addresses: [{ dev: 'eth0', cidr: `${container.serverAddress}/${container.prefixLength}` }],
      routes: [`default via ${container.hostAddress}`],
      forwarding: false,
    };
  }
  return boxes;
}

/**
 * `ipv6: true`: native IPv6 on the same links, additive to the IPv4 plan (IPv6 has no NAT: the ISP routes the home's
 * /64 to the router, whatever happens to IPv4). `ip` takes a route's family from its addresses, so the IPv6 routes sit
 * in the same batch. `nodad`: a fresh namespace would otherwise hold each address
 * "tentative" for a second or two of Duplicate Address Detection, and early connections would fail.
 */
function addIpv6(scenario: NormalizedScenario, boxes: Partial<Record<LabRole, BoxConfig>>): void {
  const add = (role: LabRole, dev: string, cidr: string): void => {
    boxes[role]!.addresses.push({ dev, cidr: `${cidr} nodad` });
  };
  const routerWanDev = 'wan0';
  const ispCustomerDev = 'cust0';
  if (scenario.wan === 'double-nat') throw new Error('lab: ipv6 is wired for the public and cgnat WANs only');
  add('lan', 'eth0', `${V6.lanHost}/64`);
  boxes.lan!.routes.push(`default via ${V6.routerLan}`);
  add('rtr', 'lan0', `${V6.routerLan}/64`);
  add('rtr', routerWanDev, `${V6.routerWan}/64`);
  boxes.rtr!.routes.push(`default via ${V6.ispCustomer}`);
  add('isp', ispCustomerDev, `${V6.ispCustomer}/64`);
  add('isp', 'up0', `${V6.ispUplink}/64`);
  boxes.isp!.routes.push(`${V6.homePrefix} via ${V6.routerWan}`, `default via ${V6.internetUplink}`);
  add('inet', 'isp0', `${V6.internetUplink}/64`);
  add('inet', 'lo', `${V6.remoteClient}/128`);
  boxes.inet!.routes.push(`${V6.homePrefix} via ${V6.ispUplink}`);
  for (const role of ['rtr', 'isp'] as const) boxes[role]!.ipv6Forwarding = true;
}

/** Creates the namespaces and wires them. The caller has already written the lab's marker (so a crash here is cleaned up). */
export async function buildTopology(prefix: string, scenario: NormalizedScenario, labDir: string): Promise<void> {
  const roles = rolesOf(scenario);
  const ns = (role: LabRole): string => namespaceName(prefix, role);
  await mustRun(['ip', '-batch', '-'], { input: roles.map((role) => `netns add ${ns(role)}\n`).join('') });

  const links = linksOf(scenario);
  const creators = [...new Set(links.map((link) => link.a))];
  await Promise.all(
    creators.map((role) =>
      mustRun(['ip', '-n', ns(role), '-batch', '-'], {
        input: links
          .filter((link) => link.a === role)
          .map((link) => `link add ${link.aName} type veth peer name ${link.bName} netns ${ns(link.b)}\n`)
          .join(''),
      }),
    ),
  );

  const boxes = boxesOf(scenario);
  await Promise.all(
    roles.map(async (role) => {
      const box = boxes[role]!;
      const interfaces = links.flatMap((link) => [
        ...(link.a === role ? [link.aName] : []),
        ...(link.b === role ? [link.bName] : []),
      ]);
      const lines = [
        'link set lo up',
        ...interfaces.map((name) => `link set ${name} up`),
        ...box.addresses.map((address) => `addr add ${address.cidr} dev ${address.dev}`),
        ...box.routes.map((route) => `route add ${route}`),
      ];
      await mustRun(['ip', '-n', ns(role), '-batch', '-'], { input: `${lines.join('\n')}\n` });
      if (!box.forwarding && !box.ruleset && !box.ipv6Forwarding) return;
      const rulesFile = join(labDir, `${role}.nft`);
      if (box.ruleset) await writeFile(rulesFile, box.ruleset);
      const v6 = box.ipv6Forwarding ? 'sysctl -qw net.ipv6.conf.all.forwarding=1 && ' : '';
      const script = `${v6}${box.forwarding ? 'sysctl -qw net.ipv4.ip_forward=1 && ' : ''}${box.ruleset ? 'nft -f "$1"' : 'true'}`;
      await mustRun(['ip', 'netns', 'exec', ns(role), 'sh', '-c', script, 'sh', rulesFile]);
    }),
  );
}
