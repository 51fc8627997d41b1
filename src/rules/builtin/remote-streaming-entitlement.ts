/**
 * Since 29 April 2025, streaming personal media to viewers outside the home is no longer free: the server owner needs
 * Plex Pass, or each remote viewer a Remote Watch Pass. Remote access can then work perfectly while remote viewers are
 * refused playback, and owners go looking for a port problem that is not there. Info, never an error: the network
 * is fine. Decided only from subscription evidence (the server root's `myPlexSubscription`, the server's
 * `/myplex/account` subscription fields, the owner's plex.tv `subscription`; docs/reference/plex-api.md §2, §3, §5.3).
 */
import type { Evidence } from '../types.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import type { FactsContext } from '../facts.js';
import { reachedFromOutside } from '../outside-facts.js';

interface SubscriptionSign {
  active: boolean;
  evidence: Evidence;
}

/** Every statement about the owner's Plex Pass that this run read. */
function subscriptionSigns(ctx: FactsContext): SubscriptionSign[] {
  const signs: SubscriptionSign[] = [];
  const root = ctx.get('server.root');
  if (root?.myPlexSubscription !== undefined)
    signs.push({
      active: root.myPlexSubscription,
      evidence: { source: 'server.root', observed: `myPlexSubscription=${root.myPlexSubscription ? 1 : 0}` },
    });
  const account = ctx.get('server.account');
  const state = account?.subscriptionState;
  if (account?.subscriptionActive !== undefined)
    signs.push({
      active: account.subscriptionActive,
      evidence: {
        source: 'server.account',
        observed: `subscriptionActive=${account.subscriptionActive ? 1 : 0}${state ? `, subscriptionState=${state}` : ''}`,
      },
    });
  else if (state && /^active$/i.test(state))
    signs.push({ active: true, evidence: { source: 'server.account', observed: `subscriptionState=${state}` } });
  // The plex.tv user is the owner only when the server is its own (or the names match).
  const user = ctx.get('plextv.user');
  const owned =
    ctx.get('plextv.resources')?.server?.owned === true || (!!user?.username && user.username === root?.myPlexUsername);
  const subscription = user?.subscription;
  if (owned && subscription) {
    // `active` reads false when absent: a status of Active says more than that default.
    const active = subscription.active || /^active$/i.test(subscription.status ?? '');
    signs.push({
      active,
      evidence: {
        source: 'plextv.user',
        observed: `the owner's subscription: active=${subscription.active}${subscription.status ? `, status=${subscription.status}` : ''}`,
      },
    });
  }
  return signs;
}

/** Remote access works: Plex's own check (mappingState=mapped), or a reflector outside reached Plex's port. */
function remoteWorks(ctx: FactsContext): Evidence | undefined {
  const mapped = reachedFromOutside(ctx);
  if (mapped) return mapped;
  const outside = ctx.get('probe.outside');
  const open = outside?.outside
    ? outside.ports.find((p) => p.role === 'plex' && p.tcp.state === 'open' && p.identityMatches !== false)
    : undefined;
  return open
    ? { source: 'probe.outside', observed: `the reflector outside connected to port ${open.port}: open` }
    : undefined;
}

export default defineBuiltinRule({
  id: 'remote-streaming-entitlement',
  meta: {
    severity: 'info',
    category: 'account',
    title: "Remote playback is covered: the owner's Plex Pass, or a Remote Watch Pass per remote viewer",
    requires: [],
    uses: ['server.root', 'server.account', 'plextv.user', 'plextv.resources', 'probe.outside'],
    messages: {
      noPlexPass:
        "Remote access works, but the server owner's account has no active Plex Pass. Since 29 April 2025, streaming your media to viewers outside your home needs the owner's Plex Pass or a Remote Watch Pass on each remote viewer's account: viewers without one are refused playback although the connection is fine.",
    },
    fixes: {
      getPass:
        'Nothing to change on the network or the router. Either the server owner gets Plex Pass, or each remote viewer gets a Remote Watch Pass on their own Plex account.',
    },
  },
  evaluate(ctx) {
    const signs = subscriptionSigns(ctx);
    if (signs.length === 0) {
      ctx.notChecked({
        reason: "the owner's Plex Pass status was not read",
        howToCheck:
          "give the server owner's token (--token or PLEX_TOKEN), so the server's root and plex.tv's account are read",
      });
      return;
    }
    const active = signs.filter((s) => s.active);
    if (active.length > 0) {
      ctx.pass({ evidence: active.map((s) => s.evidence) });
      return;
    }
    const works = remoteWorks(ctx);
    if (!works) {
      ctx.notChecked({
        reason: 'remote access is not known to work: until it does, the connection comes first',
        howToCheck: 'fix what the other findings name, then run again',
      });
      return;
    }
    ctx.report({
      messageId: 'noPlexPass',
      evidence: [works, ...signs.map((s) => ({ ...s.evidence, expected: 'an active Plex Pass' }))],
      confidence: signs.length > 1 ? 'high' : 'medium',
      fix: { fixId: 'getPass' },
    });
  },
});
