/** What no-port-forward reads off a router that answers neither UPnP nor NAT-PMP, and how firmly it decides. */
import type { Confidence, Evidence } from '../../core/finding.js';
import type { Observation } from '../../core/observation.js';
import { routerAttribution, type FactsContext } from '../facts.js';

/** Both automatic-mapping protocols were asked and neither answered. */
export function noRouterAnswer(ctx: FactsContext): boolean {
  return ctx.observation('probe.upnp')?.status === 'failed' && ctx.observation('probe.natpmp')?.status === 'failed';
}

export function noAnswerEvidence(ctx: FactsContext): Evidence {
  const upnp = ctx.observation('probe.upnp');
  const natpmp = ctx.observation('probe.natpmp');
  const message = (o: Observation | undefined) => (o?.status === 'failed' ? o.error.message : 'not asked');
  return { source: 'probe.upnp, probe.natpmp', observed: `UPnP: ${message(upnp)}; NAT-PMP: ${message(natpmp)}` };
}

/**
 * High only when everything agrees: Plex's own check failed, NAT-PMP was asked too, and this machine is known to be
 * on the server's LAN. Each missing piece (check unread, router only inferred to be the server's) lowers it a step.
 */
export function noAnswerConfidence(ctx: FactsContext, failedAndBothAsked: boolean): Confidence {
  const steps = (failedAndBothAsked ? 0 : 1) + (routerAttribution(ctx) === 'confirmed' ? 0 : 1);
  return steps === 0 ? 'high' : steps === 1 ? 'medium' : 'low';
}
