/**
 * Every command and every flag of options.ts has a test that runs the built CLI with it. This table says where; the
 * test fails when options.ts gains a flag the table does not list (or loses one it does), and when the named test
 * file does not run that command with that flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, GLOBAL_OPTIONS, type CommandName } from '../../src/cli/command-table.js';

/** command → flag → the test file (in test/cli) that runs that command with that flag and checks its effect. */
const COVERAGE: Record<CommandName, Record<string, string>> = {
  diagnose: {
    forward: 'declared-facts',
    'says-remote-fails': 'declared-facts',
    'behind-proxy': 'declared-facts',
    'behind-tunnel': 'declared-facts',
    kubernetes: 'declared-facts',
    url: 'discovery',
    token: 'discovery',
    timeout: 'diagnose',
    'no-plextv': 'diagnose',
    'plextv-url': 'diagnose',
    experiment: 'experiment',
    keep: 'experiment',
    yes: 'experiment',
    'upnp-location': 'diagnose',
    'ssdp-address': 'diagnose',
    'natpmp-gateway': 'diagnose',
    'gdm-target': 'discovery',
    resolver: 'diagnose',
    reflector: 'reflector',
    'reflector-secret-file': 'reflector',
    'forward-check': 'reflector',
    rules: 'user-rules',
    rule: 'user-rules',
    only: 'user-rules',
    json: 'discovery',
    markdown: 'diagnose',
    'redact-ips': 'diagnose',
    verbose: 'diagnose',
    'no-color': 'discovery',
    'fail-on': 'user-rules',
  },
  collect: {
    forward: 'declared-facts',
    'says-remote-fails': 'declared-facts',
    'behind-proxy': 'declared-facts',
    'behind-tunnel': 'declared-facts',
    kubernetes: 'declared-facts',
    url: 'shared-flags',
    token: 'shared-flags',
    timeout: 'shared-flags',
    'no-plextv': 'shared-flags',
    'plextv-url': 'shared-flags',
    experiment: 'shared-flags',
    keep: 'shared-flags',
    yes: 'shared-flags',
    'upnp-location': 'shared-flags',
    'ssdp-address': 'shared-flags',
    'natpmp-gateway': 'shared-flags',
    'gdm-target': 'shared-flags',
    resolver: 'shared-flags',
    reflector: 'reflector',
    'reflector-secret-file': 'reflector',
    'forward-check': 'reflector',
    rules: 'user-rules',
    rule: 'shared-flags',
    only: 'shared-flags',
    output: 'snapshot',
    'redact-ips': 'snapshot',
  },
  analyze: {
    rules: 'user-rules',
    rule: 'output',
    only: 'shared-flags',
    json: 'output',
    markdown: 'output',
    'redact-ips': 'output',
    verbose: 'output',
    'no-color': 'output',
    'fail-on': 'output',
  },
  discover: { json: 'commands', timeout: 'commands', 'gdm-target': 'commands' },
  login: { 'plextv-url': 'login', timeout: 'login' },
  rules: { json: 'commands', rules: 'user-rules' },
  explain: {},
  demo: {
    list: 'commands',
    json: 'commands',
    markdown: 'commands',
    'redact-ips': 'shared-flags',
    verbose: 'shared-flags',
    'no-color': 'commands',
    'fail-on': 'commands',
  },
  watch: {
    forward: 'declared-facts',
    'says-remote-fails': 'declared-facts',
    'behind-proxy': 'declared-facts',
    'behind-tunnel': 'declared-facts',
    kubernetes: 'declared-facts',
    url: 'watch',
    token: 'watch',
    timeout: 'watch',
    'no-plextv': 'shared-flags',
    'plextv-url': 'watch',
    'upnp-location': 'watch',
    'ssdp-address': 'shared-flags',
    'natpmp-gateway': 'watch',
    'gdm-target': 'shared-flags',
    resolver: 'watch',
    reflector: 'reflector',
    'reflector-secret-file': 'reflector',
    'forward-check': 'reflector',
    rules: 'shared-flags',
    rule: 'shared-flags',
    only: 'shared-flags',
    interval: 'watch',
    debounce: 'watch',
    notify: 'watch',
    exec: 'watch',
    'max-runs': 'watch',
    json: 'watch',
    serve: 'watch-serve',
    'serve-auth': 'watch-serve',
    history: 'watch-serve',
    'no-color': 'shared-flags',
  },
  fix: {
    forward: 'declared-facts',
    'says-remote-fails': 'declared-facts',
    'behind-proxy': 'declared-facts',
    'behind-tunnel': 'declared-facts',
    kubernetes: 'declared-facts',
    url: 'fix',
    token: 'fix',
    timeout: 'fix',
    'no-plextv': 'shared-flags',
    'plextv-url': 'fix',
    yes: 'fix',
    'upnp-location': 'fix',
    'ssdp-address': 'shared-flags',
    'natpmp-gateway': 'fix',
    'gdm-target': 'shared-flags',
    resolver: 'fix',
    rules: 'shared-flags',
    rule: 'shared-flags',
    only: 'shared-flags',
    undo: 'fix',
    journal: 'fix',
    'no-color': 'shared-flags',
  },
  reflector: { listen: 'reflector', 'tls-cert': 'reflector', 'tls-key': 'reflector', 'secret-file': 'reflector' },
  'outside-check': {
    port: 'outside-check',
    map: 'outside-check',
    'external-port': 'outside-check',
    timeout: 'outside-check',
    'public-ip': 'outside-check',
    'upnp-location': 'outside-check',
    'ssdp-address': 'outside-check',
    'natpmp-gateway': 'outside-check',
    'plextv-url': 'outside-check',
    'no-plextv': 'outside-check',
    output: 'outside-check',
    json: 'outside-check',
    'no-color': 'outside-check',
  },
};

/** --help and --version (and -h, -v) for every command: basics.test.ts. */
const GLOBAL_COVERAGE = 'basics';

const source = (name: string): string => readFileSync(join(import.meta.dirname, `${name}.test.ts`), 'utf8');
/** How a test file passes a flag: a literal '--flag' (or the short form), or through the home's argument helpers. */
const HOME_ARGS: Record<string, string[]> = {
  // home.args() / home.networkArgs() (helpers/home.ts) pass these.
  'home.args(': ['url', 'plextv-url', 'upnp-location', 'natpmp-gateway', 'resolver', 'timeout'],
  'home.networkArgs()': ['plextv-url', 'upnp-location', 'natpmp-gateway', 'resolver', 'timeout'],
  'rebinding.args(': ['url', 'plextv-url', 'upnp-location', 'natpmp-gateway', 'resolver', 'timeout'],
  'slow.args(': ['url', 'plextv-url', 'upnp-location', 'natpmp-gateway', 'resolver', 'timeout'],
  'kept.args(': ['url', 'plextv-url', 'upnp-location', 'natpmp-gateway', 'resolver', 'timeout'],
};

function mentions(text: string, flag: string, short?: string): boolean {
  if (text.includes(`'--${flag}'`) || (short !== undefined && text.includes(`'-${short}'`))) return true;
  return Object.entries(HOME_ARGS).some(([call, flags]) => flags.includes(flag) && text.includes(call));
}

describe('flag coverage', () => {
  it('the table lists exactly the commands and flags of options.ts', () => {
    const fromOptions = Object.fromEntries(COMMANDS.map((c) => [c.name, c.options.map((o) => o.name).sort()]));
    const fromTable = Object.fromEntries(
      Object.entries(COVERAGE).map(([name, flags]) => [name, Object.keys(flags).sort()]),
    );
    expect(fromTable).toEqual(fromOptions);
  });

  it.each(COMMANDS.map((c) => c.name))(
    '%s: each flag is used by the test file the table names, with that command',
    (name) => {
      const spec = COMMANDS.find((c) => c.name === name)!;
      for (const option of spec.options) {
        const file = COVERAGE[name][option.name]!;
        const text = source(file);
        expect(mentions(text, option.name, option.short), `${name} --${option.name} in ${file}.test.ts`).toBe(true);
        if (name !== 'diagnose') expect(text, `${file}.test.ts runs ${name}`).toContain(`'${name}'`);
      }
    },
  );

  it('--help and --version of every command: basics', () => {
    const text = source(GLOBAL_COVERAGE);
    for (const option of GLOBAL_OPTIONS) {
      expect(text).toContain(`'--${option.name}'`);
      expect(text).toContain(`'-${option.short!}'`);
    }
    // Per command: `it.each(COMMANDS...)('%s --help ...')` there.
    expect(text).toMatch(/it\.each\(COMMANDS\.map\(\(command\) => command\.name\)\)\(\s*'%s --help/);
  });
});
