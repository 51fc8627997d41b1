/**
 * What the user said against what was measured. A declaration weighs less than a measurement, but a contradiction
 * between them is worth saying: either the statement is out of date (the forward was changed, the failure was
 * intermittent) or the measurement looked at something else (a client inside the LAN, another router).
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { mappingFailed, mappingState, routerMappingsFor, seesServersRouter } from '../facts.js';

export default defineBuiltinRule({
  id: 'declared-fact-contradicted',
  meta: {
    severity: 'warning',
    category: 'remote-access',
    title: 'What you said agrees with what was measured',
    requires: [],
    uses: ['declared.remoteAccess', 'declared.forwards', 'server.account', 'server.root', 'probe.upnp', 'probe.host'],
    messages: {
      saysFailsButMapped:
        'You said remote access fails from outside, but plex.tv connected to the server just now (mappingState=mapped): the client that fails may be inside your network, or the failure comes and goes.',
      saysWorksButFailed:
        "You said remote access works from outside, but Plex's own check fails right now ({{state}}).",
      forwardElsewhere:
        'You said the router forwards {{port}} to {{said}}, but the router itself (UPnP) lists {{port}} → {{seen}}.',
    },
  },
  evaluate(ctx) {
    const said = ctx.get('declared.remoteAccess');
    const forwards = ctx.get('declared.forwards')?.forwards ?? [];
    if (!said && forwards.length === 0) {
      ctx.notChecked({
        reason: 'nothing was stated',
        howToCheck: 'state what you know: --forward, --says-remote-fails',
      });
      return;
    }
    const evidence: { source: string; observed: string; declared?: boolean }[] = [];
    const mapping = mappingState(ctx);
    if (said && mapping) {
      const saidEvidence = {
        source: 'declared.remoteAccess',
        observed: `remote access ${said.failsFromOutside ? 'fails' : 'works'} from outside`,
        declared: true,
      };
      const measured = {
        source: mapping.source,
        observed: `mappingState=${mapping.state ?? '(none)'}, mappingError=${mapping.error || '(none)'}`,
      };
      if (said.failsFromOutside && mapping.state === 'mapped' && !mapping.error)
        ctx.report({ messageId: 'saysFailsButMapped', evidence: [saidEvidence, measured], confidence: 'medium' });
      else if (!said.failsFromOutside && mappingFailed(mapping))
        ctx.report({
          messageId: 'saysWorksButFailed',
          data: { state: measured.observed },
          evidence: [saidEvidence, measured],
          confidence: 'medium',
        });
      else evidence.push(saidEvidence, measured);
    }
    if (forwards.length > 0 && ctx.get('probe.upnp') && seesServersRouter(ctx)) {
      for (const forward of forwards) {
        const listed = routerMappingsFor(ctx, forward.externalPort).filter((m) => m.enabled);
        const saidText = `${forward.host}:${forward.internalPort}`;
        const seen = listed.find((m) => `${m.internalClient}:${m.internalPort}` !== saidText);
        const agrees = listed.some((m) => `${m.internalClient}:${m.internalPort}` === saidText);
        const saidEvidence = {
          source: 'declared.forwards',
          observed: `forward ${forward.externalPort} → ${saidText}`,
          declared: true,
        };
        if (seen && !agrees) {
          const seenText = `${seen.internalClient}:${seen.internalPort}`;
          ctx.report({
            messageId: 'forwardElsewhere',
            data: { port: forward.externalPort, said: saidText, seen: seenText },
            evidence: [
              saidEvidence,
              { source: 'router (UPnP)', observed: `TCP ${forward.externalPort} → ${seenText}` },
            ],
            confidence: 'medium',
          });
        } else if (agrees)
          evidence.push(saidEvidence, {
            source: 'router (UPnP)',
            observed: `TCP ${forward.externalPort} → ${saidText}`,
          });
      }
    }
    // Passed only where a statement was actually compared with a measurement and they agreed.
    if (evidence.length > 0) ctx.pass({ evidence });
    else ctx.notChecked({ reason: 'nothing measured to compare what you said with' });
  },
});
