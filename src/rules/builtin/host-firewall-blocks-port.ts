/**
 * The server's own firewall drops or rejects Plex's port for connections from outside the LAN: the forward and the
 * ISP are fine, and plex.tv's connect-back still stops at the server. Often after an OS upgrade that switched a
 * firewall on (ufw, firewalld) or a ruleset that allows only the LAN. Seen by reading the firewall on the server
 * itself (host.firewall: nft, iptables-save; needs root), which tells it apart from an ISP block or a missing forward.
 */
import type { HostFirewallValue } from '../../collect/values/host.js';
import { remoteState } from '../outside-facts.js';
import { serverLanEndpoint } from '../facts.js';
import { defineBuiltinRule } from './define-builtin-rule.js';

type FamilyVerdict = HostFirewallValue['ipv4'];

const NOT_ON_SERVER = {
  reason: "the server's firewall was not read",
  howToCheck: 'run plex-diagnose on the server itself, as root (sudo), so it can read nft / iptables',
};

/** The fix for the firewall found: its front end's own command when one is active, else the tool's. */
function fixFor(
  value: HostFirewallValue,
  verdict: FamilyVerdict,
): { fixId: 'ufw' | 'firewalld' | 'nft' | 'iptables'; data: Record<string, string | number> } {
  const port = value.port;
  if (value.frontEnd === 'ufw') return { fixId: 'ufw', data: { port } };
  if (value.frontEnd === 'firewalld') return { fixId: 'firewalld', data: { port } };
  if (verdict.tool === 'nft' && verdict.baseChain) {
    const [family = 'inet', table = 'filter', chain = 'input'] = verdict.baseChain.split(' ');
    return { fixId: 'nft', data: { port, family, table, chain } };
  }
  const legacy = verdict.tool === 'iptables-legacy-save' ? 'iptables-legacy' : 'iptables';
  return { fixId: 'iptables', data: { port, command: legacy, v: 4 } };
}

export default defineBuiltinRule({
  id: 'host-firewall-blocks-port',
  meta: {
    severity: 'error',
    category: 'network',
    title: "The server's own firewall lets Plex's port in",
    hop: 'server',
    requires: [],
    uses: [
      'probe.outside',
      'host.firewall',
      'server.account',
      'server.root',
      'server.prefs',
      'plextv.resources',
      'declared.remoteAccess',
    ],
    explains: ['isp-blocks-port', 'no-port-forward', 'manual-port-mismatch', 'mapping-failed', 'relay-only'],
    messages: {
      blocked:
        "The server's own firewall {{action}} inbound TCP {{port}} from outside your LAN ({{tool}}: {{decidedBy}}): connections from the internet stop at the server, not at the router or the ISP.",
      suspectedUnread:
        "The server's own firewall may block inbound TCP {{port}} from outside the LAN (it could not be read without root).",
      suspected:
        "The server's firewall may block inbound TCP {{port}} from outside the LAN; its rules could not be evaluated.",
    },
    fixes: {
      ufw: 'Allow the port in ufw: `sudo ufw allow {{port}}/tcp` (ufw keeps the rule across reboots).',
      firewalld:
        'Open the port in firewalld: `sudo firewall-cmd --permanent --add-port={{port}}/tcp && sudo firewall-cmd --reload` (--permanent keeps it across reboots; the reload applies it now).',
      nft: "Accept the port before the rule that drops it: `sudo nft insert rule {{family}} {{table}} {{chain}} tcp dport {{port}} accept`, and add the same rule to that chain in /etc/nftables.conf (or your firewall tool's config) so it survives a reboot.",
      iptables:
        'Accept the port first in INPUT: `sudo {{command}} -I INPUT -p tcp --dport {{port}} -j ACCEPT`, then save it so it survives a reboot (`sudo netfilter-persistent save`, or `sudo {{command}}-save > /etc/iptables/rules.v{{v}}`).',
    },
  },
  evaluate(ctx) {
    const observation = ctx.observation('host.firewall');
    const remote = remoteState(ctx);
    if (observation?.status !== 'ok') {
      // On the server without root: the firewall is a candidate as long as remote access fails.
      if (observation?.status === 'skipped' && observation.reason.startsWith('run as root') && 'fails' in remote)
        ctx.suspect({
          messageId: 'suspectedUnread',
          data: { port: serverLanEndpoint(ctx).port },
          for: remote.fails,
          nextStep: { kind: 'command', text: 'run plex-diagnose again with sudo, so it can read the firewall' },
          likelihood: 'low',
        });
      ctx.notChecked(
        observation?.status === 'skipped'
          ? { reason: observation.reason, howToCheck: NOT_ON_SERVER.howToCheck }
          : observation?.status === 'failed'
            ? {
                reason: `the firewall could not be read: ${observation.error.message}`,
                howToCheck: NOT_ON_SERVER.howToCheck,
              }
            : NOT_ON_SERVER,
      );
      return;
    }
    const value = observation.value;
    const v4 = value.ipv4;
    const port = value.port;
    const seen = {
      source: 'host.firewall',
      observed: `inbound TCP ${port} from an internet address: ${v4.verdict}${v4.decidedBy ? ` (${v4.tool ?? 'firewall'}: ${v4.decidedBy})` : ''}`,
    };
    if (v4.verdict === 'accepted') {
      ctx.pass({ evidence: [{ ...seen, expected: 'accepted' }] });
      return;
    }
    if (v4.verdict === 'unknown') {
      ctx.notChecked({
        reason: `the firewall's rules for TCP ${port} could not be evaluated (${v4.decidedBy ?? 'unknown rules'})`,
        howToCheck: `read them by hand: sudo nft list ruleset; sudo iptables -S INPUT (is TCP ${port} from outside the LAN accepted?)`,
      });
      if ('fails' in remote)
        ctx.suspect({
          messageId: 'suspected',
          data: { port },
          for: [...remote.fails, seen],
          nextStep: {
            kind: 'command',
            text: `on the server: sudo nft list ruleset | grep -n ${port}; sudo iptables -S INPUT`,
          },
          likelihood: 'low',
        });
      return;
    }
    // plex.tv connected although the rules say blocked: the measurement wins (an exception this reading missed).
    if ('works' in remote) {
      ctx.pass({ evidence: [remote.works] });
      return;
    }
    ctx.report({
      messageId: 'blocked',
      data: {
        action: v4.verdict === 'dropped' ? 'drops' : 'rejects',
        port,
        tool: v4.tool ?? 'firewall',
        decidedBy: v4.decidedBy ?? 'its rules',
      },
      evidence: [{ ...seen, expected: 'accepted' }, ...('fails' in remote ? remote.fails : [])],
      // The rules are read, not guessed; with Plex's own check failing too, nothing else is needed.
      confidence: 'fails' in remote ? 'high' : 'medium',
      fix: fixFor(value, v4),
    });
  },
});
