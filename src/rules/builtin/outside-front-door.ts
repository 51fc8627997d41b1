/**
 * A reverse proxy or a tunnel by design: Plex's own public port is closed from outside, and another port (443, or
 * the front door you check) reaches THIS server through TLS, as a reflector outside saw (the handshake succeeded and
 * /identity named our machineIdentifier). Not a fault: an info finding that says so, while the rules about Plex's
 * own port (its check, the relay, missing forwards) stand down. Only a real outside vantage counts.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { frontDoor, outsideViewOrNotChecked, plexReachedFromOutside } from '../outside-evidence.js';

export default defineBuiltinRule({
  id: 'outside-front-door',
  meta: {
    severity: 'info',
    category: 'remote-access',
    title: 'Where the internet gets in: Plex’s own port, or a front door by design',
    requires: [],
    uses: ['probe.outside', 'server.prefs', 'declared.frontDoor'],
    messages: {
      byDesign:
        "The internet reaches this server through TCP {{port}} over TLS (a reverse proxy or tunnel: a reflector outside saw this server's identity there), while Plex's own port {{plexPort}} is {{state}} from outside. That works by design: Plex's own remote access check tests {{plexPort}} and will say \"not available outside your network\", which is expected here.{{advertised}}",
    },
    fixes: {
      advertise:
        'Nothing to fix for the front door. So that apps find it, list its URL in Settings → Network → Custom server access URLs (e.g. https://plex.example.net:{{port}}); if you meant Plex to be reachable on {{plexPort}} as well, forward that port too.',
    },
  },
  evaluate(ctx) {
    const view = outsideViewOrNotChecked(ctx);
    if (!view) return;
    const direct = plexReachedFromOutside(ctx);
    if (direct) {
      ctx.pass({ evidence: [view.source, direct] });
      return;
    }
    const door = frontDoor(ctx);
    if (!door) {
      const said = ctx.get('declared.frontDoor')?.kind;
      ctx.notChecked({
        reason: said
          ? `you said there is a ${said}, but no port checked from outside reached this server through TLS`
          : 'no port checked from outside reached this server, directly or through a front door',
        howToCheck: 'add --forward-check 443/https (or your front door’s port) to the --reflector run',
      });
      return;
    }
    const custom = ctx.get('server.prefs')?.network.customConnections;
    const listed = custom?.some((entry) => urlPort(entry) === door.door.port);
    const advertised =
      custom === undefined
        ? ''
        : listed
          ? ' Its URL is among the Custom server access URLs, so apps can find it.'
          : ` No Custom server access URL uses port ${door.door.port}: apps find the front door only through such a URL.`;
    const said = ctx.get('declared.frontDoor');
    ctx.report({
      messageId: 'byDesign',
      data: { port: door.door.port, plexPort: door.plex.port, state: door.plex.tcp.state, advertised },
      evidence: [
        ...door.evidence,
        ...(said ? [{ source: 'declared.frontDoor', observed: `you said: a ${said.kind}`, declared: true }] : []),
      ],
      confidence: 'high',
      fix: { fixId: 'advertise', data: { port: door.door.port, plexPort: door.plex.port } },
    });
  },
});

/** The port a Custom server access URL dials (its scheme's default when none is written). */
function urlPort(entry: string): number | undefined {
  try {
    const url = new URL(entry.trim());
    if (url.port) return Number(url.port);
    return url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
  } catch {
    return undefined;
  }
}
