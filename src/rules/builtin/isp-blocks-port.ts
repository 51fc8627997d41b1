/**
 * The outage that started this project: the router forwards the port, the router holds the public address itself,
 * and plex.tv still cannot connect. Then something upstream of the router (the ISP) filters the port. From inside that
 * is a strong guess (medium); the alternate-port experiment turns it into proof (high): the same server behind the
 * same router is reachable on another port.
 */
import { NOT_DECIDED_OUTSIDE, remoteState } from '../outside-facts.js';
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
      'server.account',
      'server.prefs',
      'probe.upnp',
      'probe.natpmp',
      'plextv.publicIp',
      'plextv.resources',
      'probe.host',
      'experiment.alternatePort',
      'declared.remoteAccess',
      'server.identity',
      'server.root',
    ],
    explains: ['mapping-failed', 'relay-only'],
    messages: {
      proven:
        'Inbound TCP {{port}} is blocked before it reaches your router: plex.tv could not connect on {{port}}, but the same server behind the same router was reachable on port {{altPort}}.',
      likely:
        'plex.tv cannot reach {{wan}}:{{port}} although your router holds that public address and forwards {{port}} to {{server}}:{{serverPort}}: something upstream of the router (usually the ISP) filters inbound TCP {{port}}.',
      inboundBlocked:
        'plex.tv could reach neither {{port}} nor the test port {{altPort}}, though the router forwarded both: inbound connections are filtered upstream (ISP or modem firewall), not one port.',
      suspected: 'Your ISP may block inbound connections to port {{port}}.',
    },
    fixes: {
      useAlternatePort:
        'Use port {{altPort}} instead: forward TCP {{altPort}} → {{server}}:{{serverPort}} on the router{{keptNote}}, and set Settings → Remote Access → "Manually specify public port" to {{altPort}}.',
      tryAlternatePort:
        'Confirm with `plex-diagnose --experiment alternate-port`. Then use an uncommon port such as {{altPort}}: forward TCP {{altPort}} → {{server}}:{{serverPort}} and set "Manually specify public port" to {{altPort}}; or ask your ISP to stop filtering {{port}}.',
      askIsp:
        'Ask your ISP whether it filters inbound connections (some do on residential lines, or for CGNAT-like setups), and check the modem for a firewall in front of your router.',
    },
  },
  evaluate(ctx) {
    // Plex's connect-back passes this check unless the rule still finds its cause (a finding outranks the pass).
    const remote = remoteState(ctx);
    if ('works' in remote) ctx.pass({ evidence: [remote.works] });
    else ctx.notChecked(NOT_DECIDED_OUTSIDE);
    if ('fails' in remote)
      ctx.suspect({
        messageId: 'suspected',
        data: { port: publicPort(ctx).port },
        for: remote.fails,
        nextStep: {
          kind: 'command',
          text: 'plex-diagnose --experiment alternate-port (maps a different public port for a minute and asks plex.tv to test it)',
        },
        likelihood: 'low',
      });
    const mapping = mappingState(ctx);
    if (!mappingFailed(mapping)) return;
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
    if (
      experiment &&
      altPort !== undefined &&
      (experiment.outcome === 'reachable' || experiment.outcome === 'unreachable')
    ) {
      const experimentEvidence = {
        source: 'experiment.alternatePort',
        observed: `router mapped ${altPort} → ${where.server}:${where.serverPort}; plex.tv then reported ${experiment.after?.mappingState ?? '?'}${experiment.after?.mappingError ? ` (${experiment.after.mappingError})` : ''}`,
      };
      if (experiment.outcome === 'reachable') {
        ctx.report({
          messageId: 'proven',
          data: { port, altPort: altPort },
          evidence: [stateEvidence, experimentEvidence],
          confidence: 'high',
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
          evidence: [stateEvidence, experimentEvidence],
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
