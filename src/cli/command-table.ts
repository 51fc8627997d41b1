/**
 * Every command and flag, as data: the parser, `--help` and the docs test all read this table (npm doctor's
 * subcommand table doubles as documentation the same way).
 */

export type CommandName =
  | 'diagnose'
  | 'collect'
  | 'analyze'
  | 'discover'
  | 'login'
  | 'rules'
  | 'explain'
  | 'demo'
  | 'watch'
  | 'fix'
  | 'reflector'
  | 'outside-check';

export interface OptionSpec {
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** Shown in help as `--name <value>`. */
  value?: string;
  description: string;
  /** The environment variable that supplies it when the flag is absent. */
  env?: string;
}

export interface CommandSpec {
  name: CommandName;
  usage: string;
  summary: string;
  options: readonly OptionSpec[];
  /** Positional arguments: [min, max]. */
  positionals: [number, number];
}

const TARGET: OptionSpec[] = [
  {
    name: 'url',
    type: 'string',
    value: 'url',
    description:
      'The Plex Media Server, e.g. http://192.168.1.10:32400 (default: found by GDM, then http://127.0.0.1:32400)',
    env: 'PLEX_URL',
  },
  {
    name: 'token',
    type: 'string',
    value: 'token',
    description: "Plex token (default: PLEX_TOKEN, the login config, the server's Preferences.xml)",
    env: 'PLEX_TOKEN',
  },
];

const COLLECT: OptionSpec[] = [
  ...TARGET,
  { name: 'timeout', type: 'string', value: 'duration', description: 'Deadline of each check, e.g. 10s (default 10s)' },
  { name: 'no-plextv', type: 'boolean', description: 'Do not consult plex.tv (LAN-only diagnosis)' },
  {
    name: 'plextv-url',
    type: 'string',
    value: 'url',
    description: 'Base URL of plex.tv or a stand-in (default https://plex.tv)',
    env: 'PLEX_DIAGNOSE_PLEXTV_URL',
  },
  {
    name: 'experiment',
    type: 'string',
    multiple: true,
    value: 'name',
    description: 'Opt-in test that changes state and restores it: alternate-port',
  },
  { name: 'keep', type: 'boolean', description: 'Keep the changes an experiment made when it succeeds' },
  { name: 'yes', short: 'y', type: 'boolean', description: 'Do not ask before an experiment or a fix' },
  {
    name: 'upnp-location',
    type: 'string',
    value: 'url',
    description: 'Use this UPnP device description URL instead of SSDP discovery',
  },
  {
    name: 'ssdp-address',
    type: 'string',
    value: 'host:port',
    description: 'Where to send SSDP M-SEARCH (default 239.255.255.250:1900)',
  },
  {
    name: 'natpmp-gateway',
    type: 'string',
    value: 'host[:port]',
    description: 'NAT-PMP gateway (default: the default gateway, port 5351)',
  },
  {
    name: 'gdm-target',
    type: 'string',
    multiple: true,
    value: 'host:port',
    description: 'Where to send GDM discovery (default 239.0.0.250:32414 and broadcast)',
  },
  {
    name: 'resolver',
    type: 'string',
    multiple: true,
    value: 'ip[:port]',
    description: 'Also check plex.direct names against this DNS server',
  },
  // What you know that no probe can see: recorded as "you said", weighed below a measurement.
  {
    name: 'forward',
    type: 'string',
    multiple: true,
    value: 'ext:host:port',
    description:
      'You said: your router forwards this (e.g. 32400:192.168.1.10:32400), as its page shows; checked from outside with --reflector, =name labels it',
  },
  {
    name: 'says-remote-fails',
    type: 'boolean',
    description: 'You said: remote access fails from outside your network',
  },
  {
    name: 'behind-proxy',
    type: 'boolean',
    description: 'You said: a reverse proxy in front of Plex is how the outside reaches it',
  },
  {
    name: 'behind-tunnel',
    type: 'boolean',
    description: 'You said: a tunnel (Cloudflare, Tailscale Funnel, ...) reaches Plex',
  },
  { name: 'kubernetes', type: 'boolean', description: 'You said: Plex runs in Kubernetes' },
];

/** The outside check (issue 13): diagnose, collect and watch; not fix, whose plan an outside view does not change. */
const OUTSIDE: OptionSpec[] = [
  {
    name: 'reflector',
    type: 'string',
    value: 'url',
    description: 'Check ports from outside through this reflector (`plex-diagnose reflector` on a machine elsewhere)',
  },
  {
    name: 'reflector-secret-file',
    type: 'string',
    value: 'file',
    description: "The reflector's shared secret, one line (default: PLEX_DIAGNOSE_REFLECTOR_SECRET)",
  },
  {
    name: 'forward-check',
    type: 'string',
    multiple: true,
    value: 'port',
    description:
      'Also check this forward from outside (with --reflector); 443/tls adds the certificate names, 32401/plex the identity, 443/https the identity through TLS (a reverse proxy); =name labels it',
  },
];

const RULES: OptionSpec[] = [
  {
    name: 'rules',
    type: 'string',
    multiple: true,
    value: 'module',
    description: 'Load extra rules and collectors from a JS/TS module',
  },
  {
    name: 'rule',
    type: 'string',
    multiple: true,
    value: 'id=level',
    description: 'Set a rule to off, info, warning or error',
  },
  {
    name: 'only',
    type: 'string',
    multiple: true,
    value: 'category',
    description: 'Run only the rules of these categories',
  },
];

const OUTPUT: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'Print the report as JSON' },
  { name: 'markdown', type: 'boolean', description: 'Print a forum-ready markdown report (always redacted)' },
  { name: 'redact-ips', type: 'boolean', description: 'Anonymise IP addresses consistently (keeps their class)' },
  { name: 'verbose', type: 'boolean', description: 'Show every check, observation and timing' },
  { name: 'no-color', type: 'boolean', description: 'No ANSI colours (also NO_COLOR)' },
  {
    name: 'fail-on',
    type: 'string',
    value: 'level',
    description: 'Exit 1 when a finding is at or above: error (default), warning, info, none',
  },
];

const JSON_ONLY: OptionSpec[] = [{ name: 'json', type: 'boolean', description: 'Print JSON' }];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'diagnose',
    usage: 'plex-diagnose [diagnose] [options]',
    summary: 'Find out why remote access fails and what to change (the default command)',
    options: [...COLLECT, ...OUTSIDE, ...RULES, ...OUTPUT],
    positionals: [0, 0],
  },
  {
    name: 'collect',
    usage: 'plex-diagnose collect [options] [-o snapshot.json]',
    summary: 'Gather the evidence into a snapshot file (no token inside) to analyze here or elsewhere',
    options: [
      ...COLLECT,
      ...OUTSIDE,
      ...RULES,
      {
        name: 'output',
        short: 'o',
        type: 'string',
        value: 'file',
        description: 'Write the snapshot here instead of stdout',
      },
      { name: 'redact-ips', type: 'boolean', description: 'Anonymise IP addresses consistently (keeps their class)' },
    ],
    positionals: [0, 0],
  },
  {
    name: 'analyze',
    usage: 'plex-diagnose analyze <snapshot.json> [options]',
    summary: 'Run the rules over a snapshot file',
    options: [...RULES, ...OUTPUT],
    positionals: [1, 1],
  },
  {
    name: 'discover',
    usage: 'plex-diagnose discover [options]',
    summary: 'List the Plex servers on this network (GDM)',
    options: [
      ...JSON_ONLY,
      { name: 'timeout', type: 'string', value: 'duration', description: 'How long to listen (default 2s)' },
      COLLECT.find((o) => o.name === 'gdm-target')!,
    ],
    positionals: [0, 0],
  },
  {
    name: 'login',
    usage: 'plex-diagnose login [options]',
    summary: 'Sign in with a plex.tv PIN and store the token (file mode 0600)',
    options: [
      COLLECT.find((o) => o.name === 'plextv-url')!,
      {
        name: 'timeout',
        type: 'string',
        value: 'duration',
        description: 'How long to wait for the sign-in (default 5m)',
      },
    ],
    positionals: [0, 0],
  },
  {
    name: 'rules',
    usage: 'plex-diagnose rules [--json]',
    summary: 'List the rules with their severity and category',
    options: [...JSON_ONLY, ...RULES.slice(0, 1)],
    positionals: [0, 0],
  },
  {
    name: 'explain',
    usage: 'plex-diagnose explain <rule-id>',
    summary: 'Explain a rule: what it means, how to confirm, how to fix',
    options: [],
    positionals: [1, 1],
  },
  {
    name: 'demo',
    usage: 'plex-diagnose demo [scenario] [options]',
    summary: 'Run the whole diagnosis against a simulated broken setup (fake server and plex.tv)',
    options: [{ name: 'list', type: 'boolean', description: 'List the scenarios' }, ...OUTPUT],
    positionals: [0, 1],
  },
  {
    name: 'watch',
    usage: 'plex-diagnose watch [options]',
    summary: 'Re-run on a schedule and alert when the diagnosis changes and when it recovers',
    options: [
      ...COLLECT.filter((o) => !['experiment', 'keep', 'yes'].includes(o.name)),
      ...OUTSIDE,
      ...RULES,
      { name: 'interval', type: 'string', value: 'duration', description: 'Time between runs (default 5m)' },
      {
        name: 'debounce',
        type: 'string',
        value: 'runs',
        description: 'Runs a new state must persist before an alert (default 2)',
      },
      {
        name: 'notify',
        type: 'string',
        multiple: true,
        value: 'url',
        description: 'POST alerts here (Discord, Slack and ntfy URLs get their own format)',
      },
      {
        name: 'exec',
        type: 'string',
        value: 'command',
        description: 'Run a command on each alert (alert in PLEX_DIAGNOSE_ALERT_* env vars)',
      },
      {
        name: 'max-runs',
        type: 'string',
        value: 'n',
        description: 'Stop after n runs (default: run until interrupted)',
      },
      {
        name: 'serve',
        type: 'string',
        value: '[host:]port',
        description: 'Serve a status page, /api/status, /api/history and /metrics (default host 127.0.0.1)',
      },
      {
        name: 'serve-auth',
        type: 'string',
        value: 'file',
        description: 'Require the token or user:password in this file (needed beyond loopback)',
      },
      {
        name: 'history',
        type: 'string',
        value: 'file',
        description: "SQLite file for the page's history (default: watch-history.sqlite in the config directory)",
      },
      { name: 'json', type: 'boolean', description: 'Print one JSON line per run and per alert' },
      { name: 'no-color', type: 'boolean', description: 'No ANSI colours (also NO_COLOR)' },
    ],
    positionals: [0, 0],
  },
  {
    name: 'fix',
    usage: 'plex-diagnose fix [--yes] [--undo] [options]',
    summary: 'Show (and with --yes apply) the Plex settings changes the diagnosis calls for; --undo restores',
    options: [
      ...COLLECT.filter((o) => !['experiment', 'keep'].includes(o.name)),
      ...RULES,
      { name: 'undo', type: 'boolean', description: 'Restore the settings saved by the last applied fix' },
      {
        name: 'journal',
        type: 'string',
        value: 'file',
        description: 'Undo journal location (default: in the config directory)',
      },
      { name: 'no-color', type: 'boolean', description: 'No ANSI colours (also NO_COLOR)' },
    ],
    positionals: [0, 0],
  },
  {
    name: 'reflector',
    usage: 'plex-diagnose reflector --listen <host:port> [--tls-cert <file> --tls-key <file>] [--secret-file <file>]',
    summary: "Run the outside-check server on a machine outside your network (a VPS, a friend's server)",
    options: [
      {
        name: 'listen',
        type: 'string',
        value: 'host:port',
        description: 'Where to listen, e.g. 0.0.0.0:8443 or [::]:8443 (required)',
      },
      {
        name: 'tls-cert',
        type: 'string',
        value: 'file',
        description: 'Serve HTTPS with this PEM certificate (with --tls-key)',
      },
      { name: 'tls-key', type: 'string', value: 'file', description: 'The PEM private key of --tls-cert' },
      {
        name: 'secret-file',
        type: 'string',
        value: 'file',
        description: 'The shared secret, one line of 32+ characters (default: PLEX_DIAGNOSE_REFLECTOR_SECRET)',
      },
    ],
    positionals: [0, 0],
  },
  {
    name: 'outside-check',
    usage: 'plex-diagnose outside-check (--port <n> | --map upnp|natpmp) [options]',
    summary: 'Check from a phone on mobile data that the internet reaches a port of this computer (one-shot)',
    options: [
      {
        name: 'port',
        type: 'string',
        value: 'n',
        description: 'Listen on this port, which your router forwards here (with --map: default a free port)',
      },
      {
        name: 'map',
        type: 'string',
        value: 'method',
        description: 'upnp or natpmp: ask the router to map a port to the listener; removed afterwards, also on Ctrl-C',
      },
      {
        name: 'external-port',
        type: 'string',
        value: 'n',
        description: 'The port the outside uses (default: --port; with --map upnp a random free one)',
      },
      {
        name: 'timeout',
        type: 'string',
        value: 'duration',
        description: 'How long to wait for the visit (default 5m)',
      },
      {
        name: 'public-ip',
        type: 'string',
        value: 'ip',
        description: "Your home's public address for the link (default: plex.tv's view, else the router's)",
      },
      COLLECT.find((o) => o.name === 'upnp-location')!,
      COLLECT.find((o) => o.name === 'ssdp-address')!,
      COLLECT.find((o) => o.name === 'natpmp-gateway')!,
      COLLECT.find((o) => o.name === 'plextv-url')!,
      { name: 'no-plextv', type: 'boolean', description: 'Do not ask plex.tv for the public address' },
      {
        name: 'output',
        short: 'o',
        type: 'string',
        value: 'file',
        description: 'Also write the JSON result to this file (mode 0600)',
      },
      { name: 'json', type: 'boolean', description: 'Print the result as JSON (the link and QR code go to stderr)' },
      { name: 'no-color', type: 'boolean', description: 'No ANSI colours (also NO_COLOR)' },
    ],
    positionals: [0, 0],
  },
];

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', short: 'h', type: 'boolean', description: 'Show help' },
  { name: 'version', short: 'v', type: 'boolean', description: 'Show the version' },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
