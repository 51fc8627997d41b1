/**
 * Our own outside view of remote access: a reflector at a public address connected back to the public address it saw,
 * on Plex's public port, and asked /identity. It decides "reachable from outside" beside Plex's own check (either may
 * pass it). Only a real outside vantage counts: a reflector on loopback, on the LAN or at our own public address
 * (NAT loopback) proves nothing about the internet, so its "open" never passes this check. A front door by design (a
 * reverse proxy or tunnel that reaches THIS server while Plex's port is closed) passes it too: the internet gets in.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import {
  describePort,
  expectedIdentity,
  frontDoor,
  identitySeen,
  isClosed,
  outsideViewOrNotChecked,
  plexPort,
} from '../outside-evidence.js';

export default defineBuiltinRule({
  id: 'outside-reachability',
  meta: {
    severity: 'error',
    category: 'remote-access',
    title: 'A reflector outside your network reaches the server',
    hop: 'internet',
    requires: [],
    uses: ['probe.outside'],
    decides: 'reachable-from-outside',
    symptom: true,
    explains: ['mapping-failed', 'relay-only'],
    messages: {
      closed:
        'From outside, a reflector could not connect to {{address}}:{{port}} (TCP {{state}}): the internet does not reach Plex on its public port.',
      notThisServer:
        'From outside, {{address}}:{{port}} answers, but not as this server ({{seen}}): the public port leads somewhere else.',
    },
    fixes: {
      findCause:
        'This is what the internet sees, not why. The report names the cause when the evidence decides it (a filter upstream, a missing forward, a forward to another host); otherwise follow its possible causes, then run again with --reflector.',
    },
  },
  evaluate(ctx) {
    const view = outsideViewOrNotChecked(ctx);
    if (!view) return;
    const plex = plexPort(view.value);
    if (!plex) {
      ctx.notChecked({
        reason: "the reflector's answer has no result for Plex's public port",
        howToCheck: 'run again with --reflector (Plex’s public port is always checked)',
      });
      return;
    }
    const seen = identitySeen(plex, expectedIdentity(view.value));
    const data = { address: view.value.sourceSeen.address, port: plex.port };
    if (seen === 'this') {
      ctx.pass({
        evidence: [
          view.source,
          { source: 'probe.outside', observed: `${describePort(plex)}; /identity names this server` },
        ],
      });
      return;
    }
    const door = frontDoor(ctx);
    if (door) {
      ctx.pass({ evidence: door.evidence });
      return;
    }
    if (isClosed(plex) || plex.tcp.state === 'unreachable') {
      ctx.report({
        messageId: 'closed',
        data: { ...data, state: plex.tcp.state },
        evidence: [view.source, { source: 'probe.outside', observed: describePort(plex), expected: 'open' }],
        confidence: 'high',
        fix: { fixId: 'findCause' },
      });
      return;
    }
    if (seen === 'other' || seen === 'not-plex') {
      const identity = plex.identity?.status === 'ok' ? plex.identity : undefined;
      ctx.report({
        messageId: 'notThisServer',
        data: {
          ...data,
          seen:
            seen === 'other'
              ? `another Plex server, machineIdentifier ${identity?.machineIdentifier ?? '?'}`
              : `HTTP ${identity?.httpStatus ?? '?'}, ${identity?.bodyKind ?? '?'} body, not a Plex identity`,
        },
        evidence: [view.source, { source: 'probe.outside', observed: `${describePort(plex)}; ${seen} identity` }],
        confidence: 'high',
        fix: { fixId: 'findCause' },
      });
      return;
    }
    ctx.notChecked({
      reason: `${describePort(plex)}, but no /identity named this server (open alone does not prove the forward reaches Plex)`,
      howToCheck:
        'run on the server or give a token, so its machineIdentifier is known; then run again with --reflector',
    });
  },
});
