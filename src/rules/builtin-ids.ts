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
  // Causes on the path to the internet, most specific first: the server's own host, then the router, then upstream.
  'vpn-on-server',
  'host-firewall-blocks-port',
  'plex-listens-wrong-address',
  'forward-reaches-other-host',
  'cgnat',
  'double-nat',
  'manual-port-mismatch',
  'no-port-forward',
  'isp-blocks-port',
  'outside-port-closed',
  // IPv6: the way past CGNAT and double NAT, and a published IPv6 address that does not answer.
  'ipv6-bypasses-cgnat',
  'ipv6-published-unreachable',
  // The LAN side: what local clients are given to dial, and whether they can.
  'container-address-advertised',
  'kubernetes-pod-address-advertised',
  'kubernetes-port-mismatch',
  'kubernetes-lb-pending',
  'plex-direct-dns-rebinding',
  'secure-connections-required',
  'custom-url-problem',
  'lan-networks-misconfigured',
  // The verdicts on reachability (Plex's own and the outside check's; usually explained by one of the above), and
  // their consequences.
  'mapping-failed',
  'outside-reachability',
  'outside-front-door',
  'relay-only',
  'server-stale',
  // Not the network: what Plex's plans allow once the connection works.
  'remote-streaming-entitlement',
  // What you said against what was measured.
  'declared-fact-contradicted',
] as const;

export type BuiltinRuleId = (typeof BUILTIN_RULE_IDS)[number];

/**
 * A rule id as users write it: any string, with the built-in ids offered first by editors (the intersection keeps the
 * literal members from collapsing into `string`).
 */
export type RuleId = BuiltinRuleId | (string & Record<never, never>);
