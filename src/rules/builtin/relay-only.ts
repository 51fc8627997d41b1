/**
 * What a failed remote access means for people outside: with the Relay on, they get Plex's bandwidth-limited proxy
 * relay (the RelayEnabled summary says only "bandwidth limited"; a forum figure is about 2 Mbps,
 * docs/reference/plex-api.md §4, §8); with it off, nothing. A consequence, never a cause: the rules that find why
 * remote access fails explain it.
 */
import { isLanAddress, probedConnections, reachedThisServer, urlHostAddress } from '../connection-facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import { mappingFailed, mappingState } from '../facts.js';
import { frontDoor, plexReachedFromOutside } from '../outside-evidence.js';
import type { Evidence } from '../types.js';

export default defineBuiltinRule({
  id: 'relay-only',
  meta: {
    severity: 'warning',
    category: 'relay',
    symptom: true,
    title: 'People outside your network reach the server directly, not only through the Relay',
    hop: 'internet',
    requires: [],
    uses: ['plextv.resources', 'server.prefs', 'server.account', 'server.root', 'probe.connections', 'probe.outside'],
    messages: {
      relayOnly:
        'Remote access fails, so outside your network apps only get the Plex Relay, which is bandwidth limited (about 2 Mbps by a forum figure; Plex itself only says "bandwidth limited"): expect low quality and buffering.',
      relayOff:
        'Remote access fails and the Relay is turned off (RelayEnabled=0): nobody outside your network can connect at all.',
    },
    fixes: {
      fixRootCause:
        "Fix why remote access fails (the findings above); the Relay is a fallback, not a fix. Until then, set the apps' remote streaming quality to 2 Mbps or lower to avoid buffering.",
      enableRelay:
        'Settings → Network → Enable Relay (RelayEnabled=1) as a fallback while you fix why remote access fails.',
    },
  },
  evaluate(ctx) {
    const mapping = mappingState(ctx);
    if (mapping?.state === 'mapped' && !mapping.error) {
      ctx.pass({ evidence: [{ source: mapping.source, observed: 'mappingState=mapped: direct connections work' }] });
      return;
    }
    // Our reflector outside reached this server, on Plex's port or through a front door: a direct way in.
    const direct = plexReachedFromOutside(ctx) ?? frontDoor(ctx)?.evidence.at(-1);
    if (direct) {
      ctx.pass({ evidence: [direct] });
      return;
    }
    if (!mapping || !mappingFailed(mapping)) {
      ctx.notChecked({
        reason: "Plex's own remote access check has no result",
        howToCheck: 'give a token, so the server tells whether plex.tv reached it',
      });
      return;
    }
    // A working custom URL outside the LAN (a reverse proxy, a tunnel) is a direct way in that Plex's check ignores.
    const customWay = probedConnections(ctx).find(
      (c) => c.kind === 'custom' && !c.relay && !isLanAddress(urlHostAddress(c.uri)) && reachedThisServer(c),
    );
    if (customWay) {
      ctx.pass({ evidence: [{ source: 'probe.connections', observed: `${customWay.uri} answered as this server` }] });
      return;
    }
    const device = ctx.get('plextv.resources')?.server;
    const relayConnections = device?.connections.filter((c) => c.relay) ?? [];
    const relayPref = ctx.get('server.prefs')?.network.RelayEnabled;
    const evidence: Evidence[] = [
      {
        source: mapping.source,
        observed: `mappingState=${mapping.state ?? '(none)'}, mappingError=${mapping.error || '(none)'}`,
        expected: 'mappingState=mapped, no mappingError',
      },
      ...(relayPref === undefined
        ? []
        : [{ source: 'server.prefs', observed: `RelayEnabled=${relayPref ? '1' : '0'}` }]),
      ...(relayConnections.length
        ? [
            {
              source: 'plextv.resources',
              observed: `relay connections: ${relayConnections.map((c) => c.uri).join(', ')}`,
            },
          ]
        : []),
      ...(device?.relay === undefined
        ? []
        : [{ source: 'plextv.resources', observed: `relay=${device.relay ? '1' : '0'}` }]),
    ];
    if (relayPref === false) {
      ctx.report({
        messageId: 'relayOff',
        evidence,
        confidence: 'high',
        fix: { fixId: 'enableRelay', actions: [{ type: 'set-pref', pref: 'RelayEnabled', value: true }] },
      });
      return;
    }
    if (relayPref !== true && relayConnections.length === 0 && device?.relay !== true) return;
    // A relay connection listed by plex.tv is the relay in use; the pref or the device flag only say it is allowed.
    ctx.report({
      messageId: 'relayOnly',
      evidence,
      confidence: relayConnections.length > 0 ? 'high' : 'medium',
      fix: { fixId: 'fixRootCause' },
    });
  },
});
