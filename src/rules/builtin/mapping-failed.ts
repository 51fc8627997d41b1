/**
 * Plex's own verdict, explained. plex.tv tests the server's public endpoint and the server reports the outcome as
 * mappingState/mappingError (docs/reference/plex-api.md §3). Usually a symptom: the rules that find *why* explain it.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { mappingState, publicPort, serverPublicAddress } from '../facts.js';
import { frontDoor } from '../outside-evidence.js';

export default defineBuiltinRule({
  id: 'mapping-failed',
  meta: {
    severity: 'error',
    category: 'remote-access',
    title: "Plex's own remote access check passes",
    hop: 'internet',
    requires: ['server.account'],
    uses: ['server.root', 'server.prefs', 'plextv.resources', 'probe.outside'],
    // plex.tv connecting back to the public endpoint is the one outside test every owner has.
    decides: 'reachable-from-outside',
    symptom: true,
    messages: {
      unreachable:
        "Plex's remote access check fails: plex.tv could not connect to {{endpoint}} (mappingError=unreachable).",
      publishError:
        'The server could not publish its address to plex.tv (mappingError=publisherror): it cannot reach plex.tv, or plex.tv refused it.',
      badAuth: "plex.tv rejected the server's own credentials (mappingError=badauth).",
      doubleNat:
        'Plex reports double NAT (mappingError=doublenat): the router it mapped the port on is itself behind another NAT.',
      myPlexGone: 'The server lost its connection to plex.tv (mappingError=myplexgone).',
      jumboFrames:
        'Plex reports a packet-size problem (mappingError=jumboframes): large packets are lost somewhere on the path.',
      failedNoError:
        'Remote access is not mapped (mappingState=failed) and Plex gives no error code: no port mapping could be made.',
      other: 'Remote access failed with mappingError={{error}}{{detail}}.',
      waiting: 'Plex is still setting up remote access (mappingState=waiting): run again in a minute.',
    },
    fixes: {
      // A rule cannot see the other findings: the fix must stand on its own when this is the only one.
      retest:
        "This is Plex's verdict, not its cause. If the report names a cause, fix that; otherwise check, in order: the router forwards the public port to the server (its Port Forwarding page, or UPnP/NAT-PMP switched on), the router's WAN address matches the public address Plex shows (if not: another NAT or CGNAT in front), and the server uses no VPN. The report's possible causes list each with one check. A reflector outside (--reflector URL) makes this a measurement: it tells a filtered port (upstream), a refused one (a missing forward or the host) and a forward to another host apart. Then press Retry in Settings → Remote Access.",
      allowPlexTv:
        'Let the server reach plex.tv over HTTPS (port 443) without a proxy or filter, then press Retry in Settings → Remote Access.',
      signInAgain:
        'Sign the server out of plex.tv and back in (Settings → General). For Docker, recreate the container with a fresh PLEX_CLAIM from https://plex.tv/claim.',
      mtu: 'Use a standard MTU of 1500 on the server and the router (turn jumbo frames off), then press Retry in Settings → Remote Access.',
    },
  },
  evaluate(ctx) {
    const mapping = mappingState(ctx);
    if (!mapping) {
      ctx.notChecked({ reason: 'the server reports no mappingState', howToCheck: 'update Plex Media Server' });
      return;
    }
    const evidence = [
      {
        source: mapping.source,
        observed: `mappingState=${mapping.state ?? '(none)'}, mappingError=${mapping.error || '(none)'}${mapping.message ? `, "${mapping.message}"` : ''}`,
        expected: 'mappingState=mapped, no mappingError',
      },
    ];
    if (mapping.state === 'waiting' && !mapping.error) {
      ctx.report({ messageId: 'waiting', evidence, confidence: 'medium' });
      return;
    }
    if (mapping.state === 'mapped' && !mapping.error) {
      ctx.pass({ evidence });
      return;
    }
    if (mapping.state !== 'failed' && !mapping.error) {
      ctx.notChecked({
        reason: `Plex has not tested remote access (mappingState=${mapping.state ?? '(none)'})`,
        howToCheck: 'turn remote access on and press Retry in Settings → Remote Access, then run again',
      });
      return;
    }
    // A front door by design (reverse proxy, tunnel) that our reflector proved reaches this server: Plex's check tests
    // its own port, which is closed on purpose; its failure is expected and says nothing about remote access.
    const door = frontDoor(ctx);
    if (door) {
      ctx.notChecked({
        reason: `Plex's check tests port ${door.plex.port}, closed by design: the internet reaches this server through the front door on TCP ${door.door.port} (see outside-front-door)`,
      });
      return;
    }
    const port = publicPort(ctx);
    const address = serverPublicAddress(ctx)?.address;
    const endpoint = `${address ?? 'your public address'}:${port.port}`;
    switch (mapping.error) {
      case 'unreachable':
        ctx.report({
          messageId: 'unreachable',
          data: { endpoint },
          evidence,
          confidence: 'high',
          fix: { fixId: 'retest' },
        });
        return;
      case 'publisherror':
        ctx.report({ messageId: 'publishError', evidence, confidence: 'high', fix: { fixId: 'allowPlexTv' } });
        return;
      case 'badauth':
        ctx.report({ messageId: 'badAuth', evidence, confidence: 'high', fix: { fixId: 'signInAgain' } });
        return;
      case 'doublenat':
        ctx.report({ messageId: 'doubleNat', evidence, confidence: 'high', fix: { fixId: 'retest' } });
        return;
      case 'myplexgone':
        ctx.report({ messageId: 'myPlexGone', evidence, confidence: 'high', fix: { fixId: 'allowPlexTv' } });
        return;
      case 'jumboframes':
        ctx.report({ messageId: 'jumboFrames', evidence, confidence: 'high', fix: { fixId: 'mtu' } });
        return;
      case undefined:
      case '':
        ctx.report({ messageId: 'failedNoError', evidence, confidence: 'high', fix: { fixId: 'retest' } });
        return;
      default:
        ctx.report({
          messageId: 'other',
          data: { error: mapping.error, detail: mapping.message ? ` ("${mapping.message}")` : '' },
          evidence,
          confidence: 'high',
          fix: { fixId: 'retest' },
        });
    }
  },
});
