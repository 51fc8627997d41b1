import rule from '../../../src/rules/builtin/host-firewall-blocks-port.js';
import type { HostFirewallValue } from '../../../src/collect/values/host.js';
import type { Observation } from '../../../src/core/observation.js';
import { accountValue, failed, ok, skipped } from '../../../src/testing/observations.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
const unreachable = (o: O): void => {
  o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
  );
};
const unknownRemote = (o: O): void => {
  o['server.account'] = ok(accountValue({ mappingState: undefined, mappingError: undefined }));
  delete o['server.root'];
};

function firewall(ipv4: HostFirewallValue['ipv4'], extra: Partial<HostFirewallValue> = {}): HostFirewallValue {
  return {
    port: 32400,
    inInterface: 'eth0',
    ipv4,
    ipv6: { verdict: 'accepted', tool: 'nft' },
    sources: [
      { tool: 'nft', status: 'read' },
      { tool: 'iptables-save', status: 'read' },
    ],
    ...extra,
  };
}
const nftDrop = firewall({
  verdict: 'dropped',
  tool: 'nft',
  baseChain: 'inet filter input',
  decidedBy: 'inet filter input handle 5',
});
const withFirewall = (value: HostFirewallValue) => (o: O) => void (o['host.firewall'] = ok(value));

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'the firewall accepts the port',
      observations: (o) => (
        unreachable(o),
        withFirewall(firewall({ verdict: 'accepted', tool: 'nft', decidedBy: 'inet fw input handle 6' }))(o)
      ),
      evidence: /host\.firewall: inbound TCP 32400 from an internet address: accepted/,
    },
    {
      name: 'the rules say dropped, but plex.tv connected (an exception the reading missed): the measurement wins',
      observations: withFirewall(nftDrop),
      evidence: /mappingState=mapped/,
    },
  ],
  invalid: [
    {
      name: 'nft drops the port and plex.tv cannot connect: high, the nft command naming the chain',
      observations: (o) => (unreachable(o), withFirewall(nftDrop)(o)),
      expect: [
        {
          messageId: 'blocked',
          confidence: 'high',
          data: { action: 'drops', port: 32400, tool: 'nft', decidedBy: 'inet filter input handle 5' },
          fixId: 'nft',
          mentions: ['sudo nft insert rule inet filter input tcp dport 32400 accept', '/etc/nftables.conf'],
        },
      ],
    },
    {
      name: 'rejected through iptables with ufw active: the ufw command',
      observations: (o) => (
        unreachable(o),
        withFirewall(
          firewall(
            {
              verdict: 'rejected',
              tool: 'iptables-save',
              baseChain: 'INPUT',
              decidedBy: '-A ufw-reject-input -p tcp -j REJECT',
            },
            { frontEnd: 'ufw' },
          ),
        )(o)
      ),
      expect: [
        { messageId: 'blocked', data: { action: 'rejects' }, fixId: 'ufw', mentions: ['sudo ufw allow 32400/tcp'] },
      ],
    },
    {
      name: 'firewalld: --permanent and a reload',
      observations: (o) => (
        unreachable(o),
        withFirewall(
          firewall(
            { verdict: 'dropped', tool: 'nft', baseChain: 'inet firewalld filter_INPUT', decidedBy: 'policy drop' },
            { frontEnd: 'firewalld' },
          ),
        )(o)
      ),
      expect: [
        {
          messageId: 'blocked',
          fixId: 'firewalld',
          mentions: ['firewall-cmd --permanent --add-port=32400/tcp', '--reload'],
        },
      ],
    },
    {
      name: 'plain iptables policy DROP: iptables -I and how to save it',
      observations: (o) => (
        unreachable(o),
        withFirewall(
          firewall({
            verdict: 'dropped',
            tool: 'iptables-save',
            baseChain: 'INPUT',
            decidedBy: 'filter INPUT policy drop',
          }),
        )(o)
      ),
      expect: [
        {
          messageId: 'blocked',
          fixId: 'iptables',
          mentions: ['sudo iptables -I INPUT -p tcp --dport 32400 -j ACCEPT', 'netfilter-persistent save'],
        },
      ],
    },
    {
      name: 'partial evidence: no Plex check result (no token), the rules alone: medium',
      observations: (o) => (unknownRemote(o), withFirewall(nftDrop)(o)),
      expect: [{ messageId: 'blocked', confidence: 'medium' }],
    },
  ],
  notChecked: [
    {
      name: 'not root: the collector skipped, saying so',
      observations: (o) => (
        unreachable(o),
        (o['host.firewall'] = skipped('run as root to read the firewall (nft: Operation not permitted)'))
      ),
      reason: /run as root/,
      howToCheck: /as root \(sudo\)/,
      suspects: ['suspectedUnread'],
    },
    {
      name: 'not root, and remote access works: not checked, nothing suspected',
      observations: (o) =>
        void (o['host.firewall'] = skipped('run as root to read the firewall (nft: Operation not permitted)')),
      reason: /run as root/,
      suspects: [],
    },
    {
      name: 'run from another machine: not the server',
      observations: (o) => void (o['host.firewall'] = skipped('the server (192.168.1.10) is not this host')),
      reason: /not this host/,
    },
    {
      name: 'not collected at all (a snapshot from an older version)',
      observations: (o) => void delete o['host.firewall'],
      reason: /was not read/,
    },
    {
      name: 'the collector failed',
      observations: (o) => void (o['host.firewall'] = failed('ETIMEDOUT', 'timed out')),
      reason: /could not be read: timed out/,
    },
    {
      name: 'rules that cannot be evaluated, remote failing: unknown, and suspected',
      observations: (o) => (
        unreachable(o),
        withFirewall(
          firewall({
            verdict: 'unknown',
            tool: 'nft',
            decidedBy: 'inet fw input handle 3 (cannot evaluate meta mark)',
          }),
        )(o)
      ),
      reason: /could not be evaluated \(inet fw input handle 3/,
      howToCheck: /nft list ruleset/,
      suspects: ['suspected'],
    },
  ],
});
