/**
 * The ids of the built-in rules, in catalogue order. A list of its own (no rule imports it back): built-in rules type
 * their `explains` against it, and the catalogue (builtin/index.ts) must hold exactly one rule per id, under that id,
 * so a typo in `explains`, a rule missing from the catalogue or an id that drifted from its key is a compile error.
 */
export const BUILTIN_RULE_IDS = [
  // The server and the account: nothing else can work until these do.
  'server-unreachable',
  'server-not-claimed',
  'token-rejected',
  'plextv-unreachable',
  'remote-access-disabled',
  // Causes on the path to the internet, most specific first.
  'vpn-on-server',
  'cgnat',
  'double-nat',
  'manual-port-mismatch',
  'no-port-forward',
  'isp-blocks-port',
  // The LAN side: what local clients are given to dial, and whether they can.
  'container-address-advertised',
  'kubernetes-pod-address-advertised',
  'kubernetes-port-mismatch',
  'kubernetes-lb-pending',
  'plex-direct-dns-rebinding',
  'secure-connections-required',
  'custom-url-problem',
  'lan-networks-misconfigured',
  // Plex's own verdict (usually explained by one of the above), and its consequences.
  'mapping-failed',
  'relay-only',
  'server-stale',
  // Not the network: what Plex's plans allow once the connection works.
  'remote-streaming-entitlement',
  // What you said against what was measured.
  'declared-fact-contradicted',
  'outside-reachability',
  'outside-front-door',
  'outside-port-closed',
  'forward-reaches-other-host',
  'ipv6-bypasses-cgnat',
  'ipv6-published-unreachable',
  // The server's own host: its firewall and the address Plex listens on (read only on the server itself).
  'host-firewall-blocks-port',
  'plex-listens-wrong-address',
] as const;

export type BuiltinRuleId = (typeof BUILTIN_RULE_IDS)[number];

/**
 * A rule id as users write it: any string, with the built-in ids offered first by editors (the intersection keeps the
 * literal members from collapsing into `string`).
 */
export type RuleId = BuiltinRuleId | (string & Record<never, never>);
