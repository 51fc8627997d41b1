/**
 * nftables rulesets of the lab's boxes, written whole (Debian's miniupnpd nft_init.sh is broken in 2.3.1-1:
 * docs/reference/netlab.md "What failed" 1). Each box's file is kept in the lab dir for reading after a failure.
 */
import type { IspBlock, NormalizedScenario, PortForward } from './scenario.js';

/** The chain the consumer-IGD wrapper rewrites with one DNAT rule per UPnP mapping (test/lab/bin/consumer-igd.mjs). */
export const IGD_CHAIN = 'prerouting_igd';

function forwardRule(forward: PortForward, wanInterface: string): string {
  return `    iifname "${wanInterface}" ${forward.protocol ?? 'tcp'} dport ${forward.externalPort} dnat ip to ${forward.internalHost}:${forward.internalPort}`;
}

/** An inbound IPv6 rule on the home router's firewall (IPv6 has no NAT: the "forward" is a firewall opening). */
export interface Ipv6Pinhole {
  address: string;
  port: number;
}

/**
 * A home router: masquerade out of wan0, forward only LAN→WAN, replies and DNATed traffic. Laid out as
 * `table inet filter` with the chains miniupnpd 2.3.1 expects to exist before it starts (miniupnpd, prerouting_miniupnpd,
 * postrouting_miniupnpd: docs/reference/netlab.md "Scenario 5"), and the chain the consumer IGD fills, so one layout
 * serves all.
 */
export function homeRouterRuleset(forwards: readonly PortForward[], ipv6Pinholes: readonly Ipv6Pinhole[] = []): string {
  return `table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan0" oifname "wan0" accept
    iifname "wan0" oifname "lan0" ct status dnat accept
${ipv6Pinholes.map((p) => `    iifname "wan0" oifname "lan0" ip6 daddr ${p.address} tcp dport ${p.port} accept\n`).join('')}    jump miniupnpd
  }
  chain miniupnpd {
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${forwards.map((forward) => forwardRule(forward, 'wan0')).join('\n')}
    jump ${IGD_CHAIN}
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    jump postrouting_miniupnpd
    oifname "wan0" masquerade
  }
  chain ${IGD_CHAIN} {
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
}
`;
}

function blockRule(block: IspBlock): string {
  const protocol = block.protocol ?? 'tcp';
  const verdict = block.action === 'drop' ? 'drop' : protocol === 'tcp' ? 'reject with tcp reset' : 'reject';
  return `    oifname "cust0" ${protocol} dport ${block.port} counter ${verdict}`;
}

/**
 * The ISP: filtering towards the customer, and the CGNAT masquerade to its own public address (docs/reference/netlab.md
 * scenario 4).
 */
export function ispRuleset(scenario: NormalizedScenario): string {
  const parts: string[] = [];
  if (scenario.isp.block.length > 0) {
    parts.push(`table inet isp {
  chain forward {
    type filter hook forward priority filter; policy accept;
${scenario.isp.block.map(blockRule).join('\n')}
  }
}
`);
  }
  if (scenario.wan === 'cgnat') {
    parts.push(`table ip cgnat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "up0" ip saddr 100.64.0.0/10 masquerade
  }
}
`);
  }
  return parts.join('');
}

/**
 * The LAN host as a Docker host: published ports DNAT to the container (from outside on eth0, and from the host
 * itself, as Docker's OUTPUT rule does for non-loopback local addresses), and the bridge masqueraded out.
 */
export function containerHostRuleset(container: NonNullable<NormalizedScenario['container']>, lanHost: string): string {
  const dnat = (match: string): string[] =>
    container.publish.map((port) => `    ${match} tcp dport ${port} dnat to ${container.serverAddress}:${port}`);
  return `table ip docker {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${dnat('iifname "eth0"').join('\n')}
  }
  chain output {
    type nat hook output priority -100; policy accept;
${dnat(`ip daddr ${lanHost}`).join('\n')}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${container.bridge} oifname != "docker0" masquerade
  }
}
`;
}
