/**
 * The outage that started this project: the router forwards the port, the router holds the public address itself,
 * and plex.tv still cannot connect. Then something upstream of the router (the ISP) filters the port. From inside that
 * is a strong guess (medium); the alternate-port experiment turns it into proof (high): the same server behind the
 * same router is reachable on another port.
 */
import { passOrDeferToOutside } from '../outside-facts.js';
import { reflectorProof } from './isp-blocks-port-reflector.js';
import { HOW_TO_CHECK_OUTSIDE, plexReachedFromOutside } from '../outside-evidence.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import {
  isUnreachableMapping,
  mappingFailed,
  mappingState,
  publicPort,
  routerMappingsFor,
  routerWan,
  seesServersRouter,
  serverLanEndpoint,
  serverPublicAddress,
  suggestedAlternatePort,
  thisMachinePublicAddress,
} from '../facts.js';

export default defineBuiltinRule({
  id: 'isp-blocks-port',
  meta: {
    severity: 'error',
    category: 'port-forwarding',
    title: 'Nothing upstream of the router filters the public port',
    hop: 'public',
    // Not required: "it fails from outside" (said, or Plex's check on the root) already makes it a candidate.
    requires: [],
    uses: [
      'probe.outside',
      'server.account',
      'server.prefs',
      'probe.upnp',
      'probe.natpmp',
      'plextv.publicIp',
      'plextv.resources',
      'probe.host',
      'experiment.alternatePort',
      'declared.remoteAccess',
      'declared.forwards',
      'server.identity',
      'server.root',
    ],
    explains: ['mapping-failed', 'relay-only', 'outside-reachability', 'outside-port-closed'],
    messages: {
      proven:
        'Inbound TCP {{port}} is blocked before it reaches your router: plex.tv could not connect on {{port}}, but the same server behind the same router was reachable on port {{altPort}} ({{by}}).',
      likely:
        'plex.tv cannot reach {{wan}}:{{port}} although your router holds that public address and forwards {{port}} to {{server}}:{{serverPort}}: something upstream of the router (usually the ISP) filters inbound TCP {{port}}.',
      inboundBlocked:
        'plex.tv could reach neither {{port}} nor the test port {{altPort}}, though the router forwarded both: inbound connections are filtered upstream (ISP or modem firewall), not one port.',
      provenByReflector:
        'Inbound TCP {{port}} is filtered before it reaches your router: a reflector outside found {{wan}}:{{port}} filtered (no answer) while TCP {{openPort}} through the same router was open, and your router holds the public address {{wan}} and forwards {{port}} to {{server}}:{{serverPort}}.',
      suspected: 'Your ISP may block inbound connections to port {{port}}.',
    },
    fixes: {
      useAlternatePort:
        'Use port {{altPort}} instead: forward TCP {{altPort}} → {{server}}:{{serverPort}} on the router{{keptNote}}, and set Settings → Remote Access → "Manually specify public port" to {{altPort}}.',
      tryAlternatePort:
        'Confirm with `plex-diagnose --experiment alternate-port` (with --reflector the experiment is checked from outside too, which turns this into proof). Then use an uncommon port such as {{altPort}}: forward TCP {{altPort}} → {{server}}:{{serverPort}} and set "Manually specify public port" to {{altPort}}; or ask your ISP to stop filtering {{port}}.',
      askIsp:
        'Ask your ISP whether it filters inbound connections (some do on residential lines, or for CGNAT-like setups), and check the modem for a firewall in front of your router.',
    },
  },
  evaluate(ctx) {
    // Plex's connect-back passes this check unless the rule still finds its cause (a finding outranks the pass).
    const remote = passOrDeferToOutside(ctx);
    if ('fails' in remote)
      ctx.suspect({
        messageId: 'suspected',
        data: { port: publicPort(ctx).port },
        for: remote.fails,
        nextStep: {
          kind: 'command',
          text: `plex-diagnose --experiment alternate-port (maps a different public port for a minute and asks plex.tv to test it); stronger: ${HOW_TO_CHECK_OUTSIDE}, with --forward-check for a forward that works`,
        },
        likelihood: 'low',
      });
    // Measured from outside: filtered on Plex's port, open on another through the same router that holds the forward.
    const proof = reflectorProof(ctx);
    if (proof) {
      ctx.report(proof);
      return;
    }
    const mapping = mappingState(ctx);
    if (!mappingFailed(mapping)) return;
    // Our reflector reached this server on the port: whatever plex.tv saw, nothing upstream filters it.
    if (plexReachedFromOutside(ctx)) return;
    const port = publicPort(ctx).port;
    const server = serverLanEndpoint(ctx);
    const where = { server: server.address ?? 'the server', serverPort: server.port };
    const stateEvidence = {
      source: mapping!.source,
      observed: `mappingState=${mapping!.state ?? '(none)'}, mappingError=${mapping!.error || '(none)'} for public port ${port}`,
      expected: 'mappingState=mapped',
    };

    const experiment = ctx.get('experiment.alternatePort');
    const altPort = experiment?.externalPort;
    // The reflector's view of the alternate port counts only from a real outside vantage, for the port mapped.
    const fromOutside =
      experiment?.outside?.ok && experiment.outside.outside && experiment.outside.port === altPort
        ? experiment.outside
        : undefined;
    const outsideReached = fromOutside?.state === 'open' && fromOutside.identity === 'this';
    if (
      experiment &&
      altPort !== undefined &&
      (experiment.outcome === 'reachable' || experiment.outcome === 'unreachable' || outsideReached)
    ) {
      const experimentEvidence = [
        {
          source: 'experiment.alternatePort',
          observed: `router mapped ${altPort} → ${where.server}:${where.serverPort}; plex.tv then reported ${experiment.after?.mappingState ?? '?'}${experiment.after?.mappingError ? ` (${experiment.after.mappingError})` : ''}`,
        },
        ...(fromOutside
          ? [
              {
                source: 'experiment.alternatePort (reflector)',
                observed: `a reflector outside found ${fromOutside.sourceSeen ?? '?'}:${altPort} ${fromOutside.state ?? '?'}${fromOutside.identity === 'this' ? ', and this server answered /identity' : `, identity ${fromOutside.identity ?? 'none'}`}`,
              },
            ]
          : []),
      ];
      const plexTvReached = experiment.outcome === 'reachable';
      if (plexTvReached || outsideReached) {
        const by =
          plexTvReached && outsideReached
            ? "plex.tv's check and a reflector outside both connected"
            : plexTvReached
              ? "plex.tv's check"
              : 'a reflector outside connected and this server answered';
        ctx.report({
          messageId: 'proven',
          data: { port, altPort: altPort, by },
          evidence: [stateEvidence, ...experimentEvidence],
          // plex.tv said reachable but our own reflector outside did not get in: the two vantages disagree.
          confidence: plexTvReached && fromOutside && !outsideReached ? 'medium' : 'high',
          fix: {
            fixId: 'useAlternatePort',
            data: {
              ...where,
              altPort: altPort,
              keptNote: experiment.kept ? ' (the experiment kept its UPnP mapping for you)' : '',
            },
            actions: [
              { type: 'set-pref', pref: 'ManualPortMappingMode', value: true },
              { type: 'set-pref', pref: 'ManualPortMappingPort', value: altPort },
            ],
          },
        });
      } else {
        ctx.report({
          messageId: 'inboundBlocked',
          data: { port, altPort: altPort },
          evidence: [stateEvidence, ...experimentEvidence],
          confidence: 'medium',
          fix: { fixId: 'askIsp' },
        });
      }
      return;
    }

    // Without the experiment: only when plex.tv says "unreachable" and the router evidence rules out the other causes.
    if (!isUnreachableMapping(mapping) || !seesServersRouter(ctx)) return;
    const wan = routerWan(ctx);
    if (wan.status !== 'ok' || wan.addressClass !== 'public') return; // double NAT / CGNAT rules cover the rest
    const seen = serverPublicAddress(ctx) ?? thisMachinePublicAddress(ctx);
    if (!seen || seen.address !== wan.address) return; // a VPN or CGNAT rewrites the address: other rules
    const forwards = routerMappingsFor(ctx, port).filter(
      (m) => m.enabled && m.internalClient === server.address && m.internalPort === server.port,
    );
    if (forwards.length === 0) return; // no visible forward: no-port-forward / manual-port-mismatch
    ctx.report({
      messageId: 'likely',
      data: { port, wan: wan.address, ...where },
      evidence: [
        stateEvidence,
        { source: `router (${wan.source})`, observed: `WAN address ${wan.address}`, expected: 'a public address' },
        { source: seen.source, observed: `plex.tv sees ${seen.address}`, expected: `the router's WAN ${wan.address}` },
        {
          source: 'router (UPnP)',
          observed: `forward TCP ${port} → ${forwards[0]!.internalClient}:${forwards[0]!.internalPort} "${forwards[0]!.description}"`,
        },
      ],
      confidence: 'medium',
      fix: { fixId: 'tryAlternatePort', data: { port, altPort: suggestedAlternatePort(ctx), ...where } },
    });
  },
});
