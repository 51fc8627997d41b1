/**
 * Plex's port listens only on loopback, or only on an address other than the one the forward and LAN clients use:
 * "works on the server itself, nowhere else", or "LAN works, the forward doesn't". Plex binds every address by
 * default, so a narrower socket is something in front of it: a container published on 127.0.0.1 (`-p
 * 127.0.0.1:32400:32400`), a proxy or service unit bound to one address, or a DHCP lease that moved the server.
 * Seen only on the server itself (host.listen: /proc/net/tcp{,6}, Linux).
 */
import type { HostListenValue } from '../../collect/values/host.js';
import { remoteState } from '../outside-facts.js';
import { serverLanEndpoint } from '../facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';

const HOW_TO_CHECK = "run plex-diagnose on the server itself (Linux), or look: ss -ltn 'sport = :32400'";

function describe(sockets: HostListenValue['sockets']): string {
  return sockets
    .map((s) => (s.family === 6 && s.address.includes(':') ? `[${s.address}]` : s.address) + `:${s.port}`)
    .join(', ');
}

/** Plex itself, or a container runtime publishing its port (/proc/<pid>/comm, cut to 15 characters). */
const PLEX_OR_PUBLISHER = /plex|docker-proxy|rootlessport|slirp4netns|pasta|conmon|containerd|k3s|kube-proxy/i;

export default defineBuiltinRule({
  id: 'plex-listens-wrong-address',
  meta: {
    severity: 'error',
    category: 'server',
    title: 'Plex listens on an address the forward and LAN clients can reach',
    hop: 'server',
    requires: [],
    uses: [
      'probe.outside',
      'host.listen',
      'server.account',
      'plextv.resources',
      'server.root',
      'server.prefs',
      'declared.remoteAccess',
    ],
    explains: ['isp-blocks-port', 'no-port-forward', 'manual-port-mismatch', 'mapping-failed', 'relay-only'],
    messages: {
      loopbackOnly:
        'Plex listens on TCP {{port}} only at {{listening}} (loopback): only the server itself can connect; the forward to {{server}}:{{port}} and every other device are refused.',
      otherAddress:
        'Plex listens on TCP {{port}} only at {{listening}}, but the forward and LAN clients reach it at {{server}}: connections to {{server}}:{{port}} are refused.',
    },
    fixes: {
      listenEverywhere:
        'Make Plex listen on every address, its default: in a container publish the port without an address (`-p {{port}}:{{port}}`, compose `"{{port}}:{{port}}"`, not `127.0.0.1:{{port}}:{{port}}`); a proxy or service unit in front of it should bind 0.0.0.0.',
      forwardToListening:
        "Point the router's forward (and the server's fixed DHCP lease) at the address Plex listens on, {{listenAddress}}:{{port}}; or make Plex listen on every address (in a container: `-p {{port}}:{{port}}` without an address).",
    },
  },
  evaluate(ctx) {
    const observation = ctx.observation('host.listen');
    if (observation?.status !== 'ok') {
      ctx.notChecked({
        reason: observation?.status === 'skipped' ? observation.reason : "Plex's listening sockets were not read",
        howToCheck: HOW_TO_CHECK,
      });
      return;
    }
    const { port, sockets } = observation.value;
    if (sockets.length === 0) {
      ctx.notChecked({
        reason: `nothing in this host's network namespace listens on TCP ${port}: Plex runs in a container or another namespace, or on another port`,
        howToCheck: `run plex-diagnose where Plex runs (inside its container), or check the port: ss -ltnp 'sport = :${port}'`,
      });
      return;
    }
    // Held by something that is neither Plex nor a container runtime publishing it (sshd for a tunnel, a reverse
    // proxy, another program): its address says nothing about where Plex itself listens.
    const others = [...new Set(sockets.flatMap((s) => (s.owner && !PLEX_OR_PUBLISHER.test(s.owner) ? [s.owner] : [])))];
    if (others.length && sockets.every((s) => s.owner !== undefined)) {
      ctx.notChecked({
        reason: `TCP ${port} on this host is held by ${others.join(', ')}, not Plex Media Server (a tunnel or proxy in front of it?): where Plex itself listens is not known here`,
        howToCheck: 'run plex-diagnose on the machine (or in the container) where Plex runs',
      });
      return;
    }
    const seen = { source: 'host.listen', observed: `TCP ${port} listening at ${describe(sockets)}` };
    // 0.0.0.0, or :: (which takes IPv4 too unless the socket is v6-only, Linux's default).
    if (sockets.some((s) => s.scope === 'all')) {
      ctx.pass({ evidence: [{ ...seen, expected: 'every address (0.0.0.0 or ::)' }] });
      return;
    }
    const remote = remoteState(ctx);
    // plex.tv connected anyway: something in front (a proxy on this host) carries it; the narrow bind is deliberate.
    if ('works' in remote) {
      ctx.pass({ evidence: [remote.works, seen] });
      return;
    }
    const server = serverLanEndpoint(ctx);
    const listening = describe(sockets);
    const confidence = 'fails' in remote ? 'high' : 'medium';
    const evidence = [
      { ...seen, expected: `every address, or ${server.address ?? "the server's LAN address"}` },
      ...('fails' in remote ? remote.fails : []),
    ];
    if (sockets.every((s) => s.scope === 'loopback')) {
      ctx.report({
        messageId: 'loopbackOnly',
        data: { port, listening, server: server.address ?? "the server's LAN address" },
        evidence,
        confidence,
        fix: { fixId: 'listenEverywhere', data: { port } },
      });
      return;
    }
    if (!server.address) {
      ctx.notChecked({
        reason: `Plex listens only at ${listening}, and the address the forward targets is unknown`,
        howToCheck: "give a token (Plex's own LAN address is then read), or check the router's forward by hand",
      });
      return;
    }
    if (sockets.some((s) => s.address === server.address)) {
      ctx.pass({ evidence: [{ ...seen, expected: `${server.address} (${server.source})` }] });
      return;
    }
    const listenAddress =
      sockets.find((s) => s.scope === 'address' && s.family === 4)?.address ??
      sockets.find((s) => s.scope === 'address')!.address;
    ctx.report({
      messageId: 'otherAddress',
      data: { port, listening, server: server.address },
      evidence: [
        ...evidence,
        { source: server.source ?? 'server', observed: `the server's LAN address: ${server.address}` },
      ],
      confidence,
      fix: { fixId: 'forwardToListening', data: { port, listenAddress } },
    });
  },
});
