/**
 * A forward that leads to the wrong machine: from outside, the port is open, but /identity names another Plex server
 * (a second server, an old one, a machine that took over the server's old DHCP address) or something that is not
 * Plex at all (a router's admin page, a NAS). Only a reflector outside can see this: from inside, the forward and the
 * server each look fine. A check is made only on ports where /identity was asked (Plex's port, and `--forward-check
 * PORT/plex`), and only a real Plex identity naming our machineIdentifier counts as this server.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { serverLanEndpoint } from '../facts.js';
import {
  describePort,
  expectedIdentity,
  identitySeen,
  outsideViewOrNotChecked,
  type IdentitySeen,
  type OutsidePort,
} from '../outside-evidence.js';

export default defineBuiltinRule({
  id: 'forward-reaches-other-host',
  meta: {
    severity: 'error',
    category: 'port-forwarding',
    title: 'Each forward checked from outside reaches this server',
    hop: 'router',
    requires: [],
    uses: ['probe.outside', 'server.account', 'plextv.resources'],
    explains: ['outside-reachability', 'mapping-failed', 'relay-only'],
    messages: {
      otherPlex:
        'From outside, TCP {{port}} reaches another Plex server (machineIdentifier {{seen}}), not this one ({{expected}}): the forward points at the wrong machine.',
      notPlex:
        'From outside, TCP {{port}} reaches something that is not Plex ({{what}}): the forward points at another device or service.',
    },
    fixes: {
      retarget:
        "On the router, point the forward of TCP {{port}} at {{server}}:{{serverPort}} (this server's LAN address), and give the server a fixed address (a DHCP reservation) so the forward keeps reaching it. Then run again with --reflector.",
    },
  },
  evaluate(ctx) {
    const view = outsideViewOrNotChecked(ctx);
    if (!view) return;
    const expected = expectedIdentity(view.value);
    const asked = view.value.ports.filter((p) => p.identity !== undefined && p.tcp.state === 'open');
    const judged = asked.map((port) => ({ port, seen: identitySeen(port, expected) }));
    const wrong = judged.filter(
      (j): j is { port: OutsidePort; seen: Exclude<IdentitySeen, 'this' | 'none'> } =>
        j.seen === 'other' || j.seen === 'not-plex',
    );
    // Plex's own port first: it is the one remote access needs.
    const first = wrong.find((w) => w.port.role === 'plex') ?? wrong[0];
    if (first) {
      const server = serverLanEndpoint(ctx);
      const identity = first.port.identity?.status === 'ok' ? first.port.identity : undefined;
      const fix = {
        fixId: 'retarget' as const,
        data: { port: first.port.port, server: server.address ?? "the server's LAN address", serverPort: server.port },
      };
      const evidence = [
        view.source,
        {
          source: 'probe.outside',
          observed: `${describePort(first.port)}; /identity: HTTP ${identity?.httpStatus ?? '?'}, ${identity?.bodyKind ?? '?'}${identity?.machineIdentifier ? `, machineIdentifier ${identity.machineIdentifier}` : ''}${identity?.server ? `, server header "${identity.server}"` : ''}`,
          expected: `a Plex identity with machineIdentifier ${expected ?? '(this server)'}`,
        },
      ];
      if (first.seen === 'other')
        ctx.report({
          messageId: 'otherPlex',
          data: { port: first.port.port, seen: identity?.machineIdentifier ?? '?', expected: expected ?? '?' },
          evidence,
          confidence: 'high',
          fix,
        });
      else
        ctx.report({
          messageId: 'notPlex',
          data: {
            port: first.port.port,
            what: `HTTP ${identity?.httpStatus ?? '?'}, ${identity?.bodyKind ?? '?'} body${identity?.title ? `, "${identity.title}"` : ''}`,
          },
          evidence,
          // A Plex server behind a proxy that rewrites /identity is rare; a non-Plex answer is almost always a wrong forward.
          confidence: first.port.role === 'plex' ? 'high' : 'medium',
          fix,
        });
      return;
    }
    const reached = judged.filter((j) => j.seen === 'this');
    if (reached.length > 0 && reached.length === judged.length) {
      ctx.pass({
        evidence: [
          view.source,
          ...reached.map((j) => ({
            source: 'probe.outside',
            observed: `${describePort(j.port)}; /identity names this server`,
          })),
        ],
      });
      return;
    }
    ctx.notChecked({
      reason:
        asked.length === 0
          ? 'no port checked from outside was open with /identity asked'
          : expected === undefined
            ? "this server's machineIdentifier is not known, so an identity seen from outside cannot be compared"
            : 'the open ports gave no /identity answer',
      howToCheck:
        'run against the server with a token (its machineIdentifier), with --reflector; add --forward-check PORT/plex for other forwards to Plex',
    });
  },
});
