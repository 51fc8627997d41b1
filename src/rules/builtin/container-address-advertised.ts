/**
 * The outage this tool was written for: a Plex container publishes its bridge address (Docker 172.17-31.x, Home
 * Assistant 172.30.32.0/23, pod networks) as its local connection. plex.tv hands that address to every client; LAN
 * devices cannot route to it, so even local playback goes out through the WAN address or the Relay, or fails
 * (docs/reference/plex-api.md §8; the plex-api.rs Docker capture lists local 172.18.0.3).
 */
import type { Evidence, RuleContext } from '../types.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import type { FactsContext } from '../facts.js';
import { isLanAddress, urlHostAddress } from '../connection-facts.js';
import {
  advertisedLocalConnections,
  examineConnection,
  HOST_NETWORKING,
  hostLanAddress,
  otherLanAddresses,
  ownContainerAddress,
  corroboratingSources,
  publishedLanUrl,
  RUNTIME_LABELS,
  type ContainerFindings,
  type LocalConnection,
} from '../container-evidence.js';

/** plex.tv's `device` for containerised servers: "Docker Container", "Docker Container (LinuxServer.io)". */
const CONTAINER_DEVICE = /docker|container|kubernetes|podman|home assistant/i;

/** pms-docker's bridge-mode port list (docs/reference/plex-api.md §8). */
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
      republish:
        'customConnections already lists {{published}}, but plex.tv still hands clients only {{address}}: the server has not republished since. Restart Plex Media Server (or turn Remote Access off and on), then check plex.tv lists {{published}}; if it still does not, the server cannot publish to plex.tv (see the publish and sign-in findings).',
      preferLanInterface:
        'Settings → Network → Preferred network interface: choose the interface with {{lanAddress}} instead of Any, so the server stops publishing {{address}}.',
    },
  },
  evaluate(ctx) {
    const local = advertisedLocalConnections(ctx);
    // plex.tv's list is what clients get; without it, what the server says of itself (its "Private" address, or the
    // container this run is inside) stands in for it.
    const fromServer = local.length === 0 ? ownContainerAddress(ctx) : undefined;
    const suspects: SuspectConnection[] = fromServer
      ? [{ uri: `http://${fromServer.address}:32400`, address: fromServer.address, network: fromServer.network }]
      : local.filter((c): c is SuspectConnection => !!c.network);
    if (suspects.length === 0) {
      standDownOrNotChecked(ctx, local);
      return;
    }
    const server = ctx.get('plextv.resources')?.server;
    const others = otherLanAddresses(ctx, local);
    // pms-docker's ADVERTISE_IP (or the owner) already publishes a LAN URL: clients have a way in, once plex.tv lists
    // it. While plex.tv still hands out only the container address, the setting has not taken effect.
    const published = publishedLanUrl(ctx);
    const publishedAddress = published ? urlHostAddress(published) : undefined;
    if (published && (!server || (publishedAddress && others.includes(publishedAddress)))) {
      ctx.pass({
        evidence: [
          { source: 'server.prefs', observed: `customConnections publishes the LAN URL ${published}` },
          ...(server ? [{ source: 'plextv.resources', observed: `plex.tv lists ${publishedAddress}` }] : []),
        ],
      });
      return;
    }
    const examined = suspects
      .map((c) => ({ connection: c, findings: examineConnection(ctx, c) }))
      .filter((e) => !e.findings.usableFromLan);
    const first = examined[0];
    if (!first) return;
    const { connection } = first;
    const where = first.findings.where;
    const addresses = examined.map((e) => e.connection.address);
    const runtime = RUNTIME_LABELS[connection.network];
    const listed: Evidence[] = fromServer
      ? [
          ...fromServer.evidence,
          {
            source: 'plextv.resources',
            observed:
              'not read: the addresses plex.tv hands to clients are unknown; Plex publishes its private address',
          },
        ]
      : [
          {
            source: 'plextv.resources',
            observed: examined
              .map(
                (e) =>
                  `local connection ${e.connection.uri} → ${e.connection.address} (${RUNTIME_LABELS[e.connection.network]} range)`,
              )
              .join('; '),
            expected: "the host's LAN address",
          },
          ...corroboratingSources(ctx, connection.address),
        ];
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
          ...listed,
          ...direct,
          { source: 'plextv.resources', observed: `also advertised: ${others.join(', ')}` },
        ],
        confidence: 'medium',
        fix: { fixId: 'preferLanInterface', data: { lanAddress: others[0], address: connection.address } },
      });
      return;
    }

    const device = server?.device;
    const corroborated = device !== undefined && CONTAINER_DEVICE.test(device);
    const unpublished = published && server ? published : undefined;
    const evidence: Evidence[] = [
      ...listed,
      ...direct,
      ...indirect,
      ...(server
        ? [
            {
              source: 'plextv.resources',
              observed: 'no other local connection with a LAN address',
              expected: "a local connection on the host's LAN address",
            },
          ]
        : []),
      ...(corroborated ? [{ source: 'plextv.resources', observed: `device="${device}"` }] : []),
      ...(unpublished
        ? [
            { source: 'server.prefs', observed: `customConnections lists ${unpublished}` },
            {
              source: 'plextv.resources',
              observed: `plex.tv does not list it`,
              expected: `a connection to ${unpublished}`,
            },
          ]
        : customConnectionsEvidence(ctx)),
    ];
    // Sources beyond the first that name the container address: the account or the container's own interface.
    const agreeing = fromServer ? fromServer.evidence.length - 1 : listed.length - 1;
    const support = agreeing + indirect.length + (corroborated ? 1 : 0);
    ctx.report({
      messageId: 'containerAddressOnly',
      data,
      evidence,
      confidence: confidenceOf(direct.length > 0 && !fromServer, support),
      fix: unpublished
        ? { fixId: 'republish', data: { published: unpublished, address: connection.address } }
        : advertiseFix(ctx, first.findings, connection.network),
    });
  },
});

type SuspectConnection = LocalConnection & { network: NonNullable<LocalConnection['network']> };

/** No container address anywhere: pass on the evidence that shows a LAN address, else say what would decide it. */
function standDownOrNotChecked(ctx: RuleContext, local: LocalConnection[]): void {
  if (local.length > 0) {
    ctx.pass({
      evidence: [
        {
          source: 'plextv.resources',
          observed: `local connections: ${local.map((c) => c.address).join(', ')} (none in a container range)`,
        },
      ],
    });
    return;
  }
  const privateAddress = ctx.get('server.account')?.privateAddress;
  if (isLanAddress(privateAddress)) {
    ctx.pass({
      evidence: [
        {
          source: 'server.account',
          observed: `privateAddress=${privateAddress}, a LAN address (what Plex publishes as its local connection)`,
        },
      ],
    });
    return;
  }
  ctx.notChecked({
    reason: "neither plex.tv's list of the server's local connections nor the server's own private address was read",
    howToCheck: 'give a token (--token or PLEX_TOKEN) and drop --no-plextv',
  });
}

/** Proof from this run is high; otherwise each independent source beyond the listing itself lifts low to medium. */
function confidenceOf(proven: boolean, support: number): 'high' | 'medium' | 'low' {
  if (proven) return 'high';
  return support > 0 ? 'medium' : 'low';
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
