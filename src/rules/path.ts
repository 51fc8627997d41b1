/**
 * The path from the server to the internet, as Plex's Remote Access page draws it but complete: server → [container
 * bridge] → router (LAN / WAN) → [second NAT or CGNAT] → public address as plex.tv sees it → internet, with the hop
 * each finding points at marked (the hop is in each rule's meta, so user rules mark it too). Built from the snapshot,
 * the diagnoses and the rules that ran (pure).
 */
import { createReader } from '../collect/define-collector.js';
import type { Snapshot } from '../core/snapshot.js';
import { containerNetworkOf } from '../core/net/address.js';
import {
  mappingFailed,
  mappingState,
  publicPort,
  routerWan,
  seesServersRouter,
  serverLanEndpoint,
  serverPublicAddress,
  thisMachinePublicAddress,
  type FactsContext,
} from './facts.js';
import type { Diagnosis, NetworkPath, PathHop } from '../core/report.js';
import type { AnyRule } from './types.js';

function containerHop(ctx: FactsContext): PathHop | undefined {
  const advertised = ctx
    .get('plextv.resources')
    ?.server?.connections.find((c) => c.local && !c.relay && containerNetworkOf(c.address));
  if (!advertised) return undefined;
  return {
    kind: 'container-bridge',
    label: 'Container bridge',
    detail: `${advertised.address} (${containerNetworkOf(advertised.address)})`,
    status: 'ok',
  };
}

function upstreamHop(ctx: FactsContext): PathHop | undefined {
  const wan = routerWan(ctx);
  if (wan.status === 'empty') return { kind: 'upstream-nat', label: 'Another NAT (modem or ISP)', status: 'ok' };
  if (wan.addressClass === 'private')
    return { kind: 'upstream-nat', label: 'Second router (double NAT)', status: 'ok' };
  if (wan.addressClass === 'cgnat') return { kind: 'upstream-nat', label: 'Carrier-grade NAT (ISP)', status: 'ok' };
  const seen = thisMachinePublicAddress(ctx);
  if (wan.address && seen && seen.address !== wan.address && !ctx.get('probe.host')?.vpn.active) {
    return {
      kind: 'upstream-nat',
      label: 'Another NAT (ISP)',
      detail: `${wan.address} → ${seen.address}`,
      status: 'ok',
    };
  }
  return undefined;
}

/** `rules`: the rules that ran; each finding marks the hop its rule's `meta.hop` names. */
export function describePath(
  snapshot: Snapshot,
  diagnoses: readonly Diagnosis[],
  rules: readonly AnyRule[],
): NetworkPath | undefined {
  const hopOf = new Map(rules.map((rule) => [rule.id, rule.meta.hop]));
  const ctx: FactsContext = { ...createReader(snapshot.observations), snapshot };
  if (!ctx.observation('server.identity')) return undefined;
  const server = serverLanEndpoint(ctx);
  const hops: PathHop[] = [
    {
      kind: 'server',
      label: 'Plex Media Server',
      detail: server.address ? `${server.address}:${server.port}` : `port ${server.port}`,
      status: 'ok',
    },
  ];
  const bridge = containerHop(ctx);
  if (bridge) hops.push(bridge);

  const wan = routerWan(ctx);
  const gateway = seesServersRouter(ctx) ? ctx.get('probe.host')?.defaultRoute?.gateway : undefined;
  const routerDetail = [
    gateway ? `LAN ${gateway}` : '',
    wan.address ? `WAN ${wan.address}` : wan.status === 'empty' ? 'WAN not public' : '',
  ]
    .filter(Boolean)
    .join(' · ');
  hops.push({
    kind: 'router',
    label: 'Router',
    ...(routerDetail ? { detail: routerDetail } : {}),
    status: wan.status === 'unknown' && !gateway ? 'unknown' : 'ok',
  });

  const upstream = upstreamHop(ctx);
  if (upstream) hops.push(upstream);

  const seen = serverPublicAddress(ctx) ?? thisMachinePublicAddress(ctx);
  const port = publicPort(ctx).port;
  hops.push({
    kind: 'public',
    label: 'Public address',
    detail: seen ? `${seen.address}:${port} (as plex.tv sees it)` : `port ${port}`,
    status: seen ? 'ok' : 'unknown',
  });

  const mapping = mappingState(ctx);
  hops.push({
    kind: 'internet',
    label: 'Internet',
    ...(mapping?.state
      ? { detail: `plex.tv check: ${mapping.state}${mapping.error ? ` (${mapping.error})` : ''}` }
      : {}),
    status: mapping ? 'ok' : 'unknown',
  });
  if (mappingFailed(mapping)) hops[hops.length - 1]!.status = 'warning';

  for (const diagnosis of diagnoses) {
    const kind = hopOf.get(diagnosis.ruleId);
    if (!kind || diagnosis.severity === 'info') continue;
    const hop = hops.find((h) => h.kind === kind) ?? (kind === 'container-bridge' ? hops[0] : undefined);
    if (!hop) continue;
    const status = diagnosis.rank === 'root-cause' ? 'broken' : 'warning';
    if (hop.status === 'broken' && status === 'warning') continue;
    // The picture names the finding; the finding itself is printed in full below it.
    hop.note = hop.status === status && hop.note ? `${hop.note}, ${diagnosis.ruleId}` : diagnosis.ruleId;
    hop.status = status;
  }
  return { hops };
}
