/**
 * Two network-list prefs (plex-api.md §4): `LanNetworksBandwidth` ("LAN Networks") decides which clients count as
 * local (no remote bandwidth limits, local quality); `allowedNetworks` lists networks that may use the server without
 * signing in. A LAN list that misses the server's own network makes LAN clients remote; an allowed list that reaches
 * into public space lets strangers in.
 */
import { classifyAddress, containerNetworkOf, isInCidr } from '../../core/net/address.js';
import {
  coversEverything,
  coversPublicAddresses,
  entryContains,
  networkOfCidr,
  parseNetworkEntry,
  type NetworkEntry,
} from '../../core/net/network-list.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import { serverLanEndpoint, targetEndpoint, vantage, type FactsContext } from '../facts.js';
import type { Evidence, RuleContext } from '../types.js';

const LABELS = {
  LanNetworksBandwidth: 'LAN Networks',
  allowedNetworks: 'List of IP addresses and networks that are allowed without auth',
} as const;
type ListPref = keyof typeof LABELS;

/** The subnet of this host's interface that holds `address` (run on the server, or on a machine of its LAN). */
function subnetHolding(ctx: FactsContext, address: string): string | undefined {
  const where = vantage(ctx);
  if (where !== 'server-host' && where !== 'same-lan') return undefined;
  const found = ctx
    .get('probe.host')
    ?.interfaces.flatMap((i) => i.addresses)
    .find((a) => !a.internal && a.cidr && isInCidr(address, a.cidr));
  return found?.cidr ? networkOfCidr(found.cidr) : undefined;
}

/** This machine's own address on the server's LAN, when this run is on that LAN but not on the server. */
function thisMachineOnLan(ctx: FactsContext): string | undefined {
  const target = targetEndpoint(ctx);
  if (!target || vantage(ctx) !== 'same-lan') return undefined;
  return ctx
    .get('probe.host')
    ?.interfaces.flatMap((i) => i.addresses)
    .find((a) => !a.internal && a.cidr && isInCidr(target.host, a.cidr))?.address;
}

const messages = {
  invalidEntry:
    '{{pref}} contains "{{entry}}", which is neither an IP address, a CIDR network (192.168.1.0/24) nor ip/netmask (192.168.1.0/255.255.255.0): Plex cannot use it.',
  lanMissesServer:
    "LAN Networks ({{value}}) does not include the server's own LAN address {{address}}: clients on that network count as remote, so remote bandwidth limits and quality settings apply to them.",
  lanMissesThisMachine:
    "LAN Networks ({{value}}) does not include this machine ({{address}}), which is on the server's LAN: it counts as a remote client.",
  allowedEveryone: 'allowedNetworks contains {{entry}}: anyone who can reach the server can use it without signing in.',
  allowedPublic:
    'allowedNetworks contains {{entry}}, which reaches into public internet addresses: anyone from there who reaches the server can use it without signing in.',
};

const fixes = {
  correctEntry:
    'Settings → Network → {{label}}: write networks as 192.168.1.0/24 or 192.168.1.0/255.255.255.0; without "{{entry}}" the list is {{corrected}}.',
  addLanNetwork: 'Settings → Network → LAN Networks = {{corrected}}',
  addLanNetworkGuess:
    "Settings → Network → LAN Networks: add your LAN's network, e.g. {{guess}} (check the prefix against your router's netmask).",
  removeEveryone:
    'Settings → Network → List of IP addresses and networks that are allowed without auth = {{corrected}}',
  narrowAllowed:
    "Settings → Network → List of IP addresses and networks that are allowed without auth: replace {{entry}} with your LAN's network or the single addresses that need it.",
};

type Ctx = RuleContext<keyof typeof messages, keyof typeof fixes>;

export default defineBuiltinRule({
  id: 'lan-networks-misconfigured',
  meta: {
    severity: 'warning',
    category: 'lan',
    title: 'LAN Networks covers your LAN, and allowedNetworks lets no one in from the internet',
    requires: ['server.prefs'],
    uses: ['probe.host', 'server.account', 'plextv.resources'],
    messages,
    fixes,
  },
  evaluate(ctx) {
    const network = ctx.get('server.prefs')?.network;
    if (!network) return;
    // The two lists are the whole of this check: read, they decide it (any finding below outranks the pass).
    ctx.pass({
      evidence: [
        {
          source: 'server.prefs',
          observed: `LanNetworksBandwidth=${network.LanNetworksBandwidth?.join(',') || '(empty)'}, allowedNetworks=${network.allowedNetworks?.join(',') || '(empty)'}`,
        },
      ],
    });
    const parsed = (pref: ListPref) => (network[pref] ?? []).map((text) => ({ text, entry: parseNetworkEntry(text) }));
    const lists = { LanNetworksBandwidth: parsed('LanNetworksBandwidth'), allowedNetworks: parsed('allowedNetworks') };
    const show = (pref: ListPref) => (network[pref]?.length ? network[pref]!.join(',') : '(empty)');

    for (const pref of Object.keys(lists) as ListPref[]) {
      for (const { text, entry } of lists[pref]) {
        if (entry) continue;
        const corrected =
          lists[pref]
            .filter((e) => e.text !== text)
            .map((e) => e.text)
            .join(',') || '(empty)';
        ctx.report({
          messageId: 'invalidEntry',
          data: { pref, entry: text },
          evidence: [{ source: 'server.prefs', observed: `${pref}=${show(pref)}` }],
          confidence: 'high',
          fix: { fixId: 'correctEntry', data: { label: LABELS[pref], entry: text, corrected } },
        });
      }
    }

    const lan = lists.LanNetworksBandwidth.flatMap((e) => (e.entry ? [e.entry] : []));
    if (lists.LanNetworksBandwidth.length > 0)
      checkLanCoverage(ctx, lan, show('LanNetworksBandwidth'), network.LanNetworksBandwidth ?? []);

    const allowed = lists.allowedNetworks.flatMap((e) => (e.entry ? [e.entry] : []));
    const everyone = allowed.filter(coversEverything);
    const withoutEveryone = lists.allowedNetworks
      .filter((e) => !e.entry || !coversEverything(e.entry))
      .map((e) => e.text)
      .join(',');
    for (const entry of allowed) {
      const evidence: Evidence[] = [
        {
          source: 'server.prefs',
          observed: `allowedNetworks=${show('allowedNetworks')}`,
          expected: 'only LAN, VPN or single trusted addresses',
        },
      ];
      if (everyone.includes(entry)) {
        ctx.report({
          messageId: 'allowedEveryone',
          data: { entry: entry.text },
          evidence,
          confidence: 'high',
          fix: {
            fixId: 'removeEveryone',
            data: { corrected: withoutEveryone || '(empty)' },
            actions: [{ type: 'edit-list', pref: 'allowedNetworks', remove: everyone.map((e) => e.text) }],
          },
        });
      } else if (coversPublicAddresses(entry)) {
        // A single public address may be intended (your own VPS); the exposure is real either way.
        ctx.report({
          messageId: 'allowedPublic',
          data: { entry: entry.text },
          evidence,
          confidence: 'medium',
          fix: { fixId: 'narrowAllowed', data: { entry: entry.text } },
        });
      }
    }
  },
});

function checkLanCoverage(ctx: Ctx, lan: NetworkEntry[], value: string, written: string[]): void {
  const server = serverLanEndpoint(ctx);
  // A container's own address is not where LAN clients come from; nothing to compare against.
  if (!server.address || classifyAddress(server.address) !== 'private' || containerNetworkOf(server.address)) return;
  const covered = (address: string) => lan.some((entry) => entryContains(entry, address));
  const lanFix = (address: string) => {
    const subnet = subnetHolding(ctx, address);
    if (subnet) {
      const corrected = [...written, subnet].join(',');
      return {
        fixId: 'addLanNetwork' as const,
        data: { corrected },
        actions: [{ type: 'edit-list' as const, pref: 'LanNetworksBandwidth', add: [subnet] }],
      };
    }
    const bits = address.includes(':') ? 64 : 24;
    return {
      fixId: 'addLanNetworkGuess' as const,
      data: { guess: networkOfCidr(`${address}/${bits}`) ?? `${address}/${bits}` },
    };
  };
  const listed: Evidence = { source: 'server.prefs', observed: `LanNetworksBandwidth=${value}` };
  if (!covered(server.address)) {
    ctx.report({
      messageId: 'lanMissesServer',
      data: { value, address: server.address },
      evidence: [
        listed,
        {
          source: server.source ?? 'server',
          observed: `the server's LAN address is ${server.address}`,
          expected: 'inside one of the LAN Networks',
        },
      ],
      confidence: server.source === 'server.account privateAddress' ? 'high' : 'medium',
      fix: lanFix(server.address),
    });
    return;
  }
  const here = thisMachineOnLan(ctx);
  if (here && !covered(here)) {
    ctx.report({
      messageId: 'lanMissesThisMachine',
      data: { value, address: here },
      evidence: [
        listed,
        {
          source: 'probe.host',
          observed: `this machine is ${here}, on the server's LAN`,
          expected: 'inside one of the LAN Networks',
        },
      ],
      confidence: 'high',
      fix: lanFix(here),
    });
  }
}
