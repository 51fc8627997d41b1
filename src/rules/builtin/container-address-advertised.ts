/**
 * The outage this tool was written for: a Plex container publishes its bridge address (Docker 172.17-31.x, Home
 * Assistant 172.30.32.0/23, pod networks) as its local connection. plex.tv hands that address to every client; LAN
 * devices cannot route to it, so even local playback goes out through the WAN address or the Relay, or fails
 * (plex-api.md §8; the plex-api.rs Docker capture lists local 172.18.0.3).
 */
import type { Evidence } from '../types.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import type { FactsContext } from '../facts.js';
import {
  advertisedLocalConnections,
  examineConnection,
  HOST_NETWORKING,
  hostLanAddress,
  otherLanAddresses,
  publishedLanUrl,
  RUNTIME_LABELS,
  type ContainerFindings,
  type LocalConnection,
} from '../container-evidence.js';

/** plex.tv's `device` for containerised servers: "Docker Container", "Docker Container (LinuxServer.io)". */
const CONTAINER_DEVICE = /docker|container|kubernetes|podman|home assistant/i;

/** pms-docker's bridge-mode port list (plex-api.md §8). */
const BRIDGE_PORTS =
  '-p 32400:32400/tcp -p 8324:8324/tcp -p 32469:32469/tcp -p 1900:1900/udp -p 32410:32410/udp -p 32412:32412/udp -p 32413:32413/udp -p 32414:32414/udp';

export default defineBuiltinRule({
  id: 'container-address-advertised',
  meta: {
    severity: 'error',
    category: 'lan',
    title: 'The server advertises a local address LAN devices can reach (not a container-internal one)',
    hop: 'container-bridge',
    requires: [],
    uses: ['plextv.resources', 'probe.host', 'probe.connections', 'server.prefs', 'server.account'],
    messages: {
      containerAddressOnly:
        'The server advertises {{address}} as its local address, and that is a {{runtime}} address LAN devices cannot reach: local clients go out through your WAN address or the Relay, or fail.',
      containerAddressExtra:
        'Besides {{lanAddresses}}, the server advertises {{address}} ({{runtime}}) as a local address that this LAN machine cannot reach: clients that try it first wait for it to time out.',
    },
    fixes: {
      advertiseLanAddress:
        "Publish the host's LAN address: Settings → Network → Custom server access URLs (customConnections) = {{customConnections}} (pms-docker writes it from ADVERTISE_IP={{advertiseIp}}, but only on a container's first run; linuxserver has no such variable: set it in Plex Web). Or use host networking: {{hostNetworking}}. In bridge mode, publish Plex's ports: {{bridgePorts}}.",
      preferLanInterface:
        'Settings → Network → Preferred network interface: choose the interface with {{lanAddress}} instead of Any, so the server stops publishing {{address}}.',
    },
  },
  evaluate(ctx) {
    const local = advertisedLocalConnections(ctx);
    const suspects = local.filter(
      (c): c is LocalConnection & { network: NonNullable<LocalConnection['network']> } => !!c.network,
    );
    if (suspects.length === 0) {
      // Decided only when plex.tv's list was read and offers local connections, none in a container range.
      if (local.length > 0)
        ctx.pass({
          evidence: [
            {
              source: 'plextv.resources',
              observed: `local connections: ${local.map((c) => c.address).join(', ')} (none in a container range)`,
            },
          ],
        });
      else
        ctx.notChecked({
          reason: "plex.tv's list of the server's local connections was not read",
          howToCheck: 'give a token (--token or PLEX_TOKEN) and drop --no-plextv',
        });
      return;
    }
    // pms-docker's ADVERTISE_IP (or the owner) already publishes a LAN URL: clients have a way in.
    const published = publishedLanUrl(ctx);
    if (published) {
      ctx.pass({
        evidence: [{ source: 'server.prefs', observed: `customConnections publishes the LAN URL ${published}` }],
      });
      return;
    }
    const examined = suspects
      .map((c) => ({ connection: c, findings: examineConnection(ctx, c) }))
      .filter((e) => !e.findings.usableFromLan);
    const first = examined[0];
    if (!first) return;
    const { connection } = first;
    const others = otherLanAddresses(ctx, local);
    const where = first.findings.where;
    const addresses = examined.map((e) => e.connection.address);
    const runtime = RUNTIME_LABELS[connection.network];
    const listed: Evidence = {
      source: 'plextv.resources',
      observed: examined
        .map(
          (e) =>
            `local connection ${e.connection.uri} → ${e.connection.address} (${RUNTIME_LABELS[e.connection.network]} range)`,
        )
        .join('; '),
      expected: "the host's LAN address",
    };
    const direct = examined.flatMap((e) => e.findings.direct);
    const indirect = examined.flatMap((e) => e.findings.indirect);
    const data = { address: connection.address, addresses: addresses.join(', '), runtime };

    if (others.length > 0) {
      // Another LAN address is on offer: only a real failure from a LAN machine makes the extra one worth a finding.
      const failedFromLan =
        where === 'same-lan' && examined.some((e) => e.findings.direct.some((d) => d.source === 'probe.connections'));
      if (!failedFromLan) return;
      ctx.report({
        messageId: 'containerAddressExtra',
        data: { ...data, lanAddresses: others.join(', ') },
        evidence: [
          listed,
          ...direct,
          { source: 'plextv.resources', observed: `also advertised: ${others.join(', ')}` },
        ],
        confidence: 'medium',
        fix: { fixId: 'preferLanInterface', data: { lanAddress: others[0], address: connection.address } },
      });
      return;
    }

    const device = ctx.get('plextv.resources')?.server?.device;
    const corroborated = device !== undefined && CONTAINER_DEVICE.test(device);
    const evidence: Evidence[] = [
      listed,
      ...direct,
      ...indirect,
      {
        source: 'plextv.resources',
        observed: 'no other local connection with a LAN address',
        expected: "a local connection on the host's LAN address",
      },
      ...(corroborated ? [{ source: 'plextv.resources', observed: `device="${device}"` }] : []),
    ];
    ctx.report({
      messageId: 'containerAddressOnly',
      data,
      evidence: [...evidence, ...customConnectionsEvidence(ctx)],
      confidence: confidenceOf(direct, indirect, corroborated),
      fix: advertiseFix(ctx, first.findings, connection.network),
    });
  },
});

function confidenceOf(direct: Evidence[], indirect: Evidence[], corroborated: boolean): 'high' | 'medium' | 'low' {
  if (direct.length > 0) return 'high';
  return indirect.length > 0 || corroborated ? 'medium' : 'low';
}

function customConnectionsEvidence(ctx: FactsContext): Evidence[] {
  const custom = ctx.get('server.prefs')?.network.customConnections;
  if (!custom) return [];
  return [
    {
      source: 'server.prefs',
      observed: `customConnections=${custom.length ? custom.join(',') : '(empty)'}`,
      expected: "a URL on the host's LAN address",
    },
  ];
}

function advertiseFix(ctx: FactsContext, findings: ContainerFindings, network: keyof typeof HOST_NETWORKING) {
  const lan = hostLanAddress(ctx, findings.where);
  const lanUrl = lan
    ? `http://${lan.address.includes(':') ? `[${lan.address}]` : lan.address}:${lan.port}`
    : "http://<the host's LAN IP>:32400";
  const existing = ctx.get('server.prefs')?.network.customConnections;
  const customConnections = [...(existing ?? []), lanUrl].join(',');
  // Applying it is certain only when the URL the user gave is that LAN address and we know the current entries.
  const actions =
    lan?.certain && existing !== undefined
      ? [{ type: 'edit-list' as const, pref: 'customConnections', add: [lanUrl] }]
      : [];
  return {
    fixId: 'advertiseLanAddress' as const,
    data: {
      customConnections,
      advertiseIp: `${lanUrl}/`,
      hostNetworking: HOST_NETWORKING[network],
      bridgePorts: BRIDGE_PORTS,
      lanUrl,
    },
    ...(actions.length ? { actions } : {}),
  };
}
