/**
 * The CLI's front door, run as a subprocess: --version, --help and every command's --help, and every way to hold it
 * wrong (bad flags, values and combinations), each of which must end with exit code 2 and a one-line reason on stderr,
 * before anything touches the network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, GLOBAL_OPTIONS } from '../../src/cli/command-table.js';
import { REPO_ROOT } from './paths.js';
import { createSandbox, NOWHERE_URL, type CliSandbox } from './helpers/run-cli.js';
import { distinctiveToken } from './helpers/home.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let sandbox: CliSandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.cleanup());

describe.concurrent('version and help', () => {
  it('--version and -v print the package version and nothing else', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await sandbox.run([flag]);
      expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    }
  });

  it('--version after a command still prints the version', async () => {
    const result = await sandbox.run(['rules', '--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('--help and -h list every command with its summary, the exit codes and where the token comes from', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await sandbox.run([flag]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      for (const command of COMMANDS)
        expect(result.stdout).toContain(`  ${command.name.padEnd(10)} ${command.summary}`);
      expect(result.stdout).toContain(
        'Exit codes: 0 no problem at or above --fail-on, 1 problems found, 2 usage or config error, 3 internal error,',
      );
      expect(result.stdout).toContain('4 inconclusive (no problem found, but a check that decides remote access');
      expect(result.stdout).toMatch(/--token, PLEX_TOKEN, `plex-diagnose login`, the server's Preferences.xml/);
    }
  });

  it.each(COMMANDS.map((command) => command.name))(
    '%s --help lists its usage and every one of its options',
    async (name) => {
      const spec = COMMANDS.find((command) => command.name === name)!;
      const result = await sandbox.run([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout.startsWith(`Usage: ${spec.usage}\n\n${spec.summary}\n`)).toBe(true);
      for (const option of [...spec.options, ...GLOBAL_OPTIONS]) {
        expect(result.stdout).toContain(`--${option.name}${option.value ? ` <${option.value}>` : ''}`);
        if (option.short) expect(result.stdout).toContain(`-${option.short}, --${option.name}`);
        if (option.env) expect(result.stdout).toContain(`[env ${option.env}]`);
      }
      // Options of other commands are not offered here.
      const own = new Set([...spec.options, ...GLOBAL_OPTIONS].map((option) => option.name));
      const foreign = COMMANDS.flatMap((c) => c.options).filter((option) => !own.has(option.name));
      for (const option of foreign) expect(result.stdout).not.toContain(`--${option.name} `);
    },
  );

  it("-h after a command shows that command's help, not the overview", async () => {
    const result = await sandbox.run(['watch', '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: plex-diagnose watch/);
    expect(result.stdout).toContain('--interval <duration>');
  });
});

/**
 * argv → the one-line reason on stderr. Every case points the CLI at a URL where nothing listens and at no plex.tv,
 * so a case that wrongly got past validation would show up as a different exit code or message, not as a hang.
 */
const USAGE_ERRORS: [name: string, argv: string[], reason: RegExp][] = [
  [
    'an unknown option',
    ['--bogus'],
    /^plex-diagnose: unknown option --bogus for diagnose \(see `plex-diagnose --help`\)$/,
  ],
  [
    'an unknown option of a command',
    ['rules', '--url', 'x'],
    /^plex-diagnose: unknown option --url for rules \(see `plex-diagnose rules --help`\)$/,
  ],
  [
    'an unknown command',
    ['bogus'],
    /^plex-diagnose: unknown command "bogus" \(commands: diagnose, collect, analyze, discover, login, rules, explain, demo, watch, fix, reflector, outside-check\)$/,
  ],
  [
    'a command after options',
    ['--no-color', 'rules'],
    /^plex-diagnose: unexpected argument "rules" for diagnose \(commands go first: `plex-diagnose rules \.\.\.`\)/,
  ],
  ['a flag without its value', ['--url'], /^plex-diagnose: Option '--url <value>' needs a value/],
  [
    '--json with --markdown',
    ['--json', '--markdown', '--url', NOWHERE_URL],
    /^plex-diagnose: choose one of --json and --markdown$/,
  ],
  [
    'a bad --fail-on',
    ['--fail-on', 'sometimes', '--url', NOWHERE_URL],
    /^plex-diagnose: --fail-on must be error, warning, info or none, not "sometimes"$/,
  ],
  [
    'a --rule without a level',
    ['--rule', 'isp-blocks-port', '--url', NOWHERE_URL],
    /^plex-diagnose: --rule "isp-blocks-port" must be <rule-id>=off\|info\|warning\|error$/,
  ],
  [
    'a --rule with a bad level',
    ['--rule', 'isp-blocks-port=fatal', '--url', NOWHERE_URL],
    /^plex-diagnose: --rule "isp-blocks-port=fatal" must be/,
  ],
  [
    'a --rule naming an unknown rule',
    ['--rule', 'no-such-rule=off', '--url', NOWHERE_URL],
    /^plex-diagnose: rule config names an unknown rule "no-such-rule"$/,
  ],
  ['a bad --timeout', ['--timeout', 'soon', '--url', NOWHERE_URL], /^plex-diagnose: invalid timeout "soon"/],
  ['a --timeout below the minimum', ['--timeout', '10ms', '--url', NOWHERE_URL], /^plex-diagnose: .*timeout.*10ms/],
  [
    'a bad --interval',
    ['watch', '--interval', 'often', '--url', NOWHERE_URL],
    /^plex-diagnose: invalid interval "often"/,
  ],
  [
    'an --interval below a second',
    ['watch', '--interval', '0', '--url', NOWHERE_URL],
    /^plex-diagnose: interval "0" is too short: the minimum is 1s$/,
  ],
  [
    'a bad --debounce',
    ['watch', '--debounce', '0', '--url', NOWHERE_URL],
    /^plex-diagnose: --debounce must be a whole number of at least 1, not "0"$/,
  ],
  [
    'a bad --max-runs',
    ['watch', '--max-runs', 'two', '--url', NOWHERE_URL],
    /^plex-diagnose: --max-runs must be a whole number of at least 1, not "two"$/,
  ],
  [
    'a --notify that is not http',
    ['watch', '--notify', 'mailto:me@example.com', '--url', NOWHERE_URL],
    /^plex-diagnose: --notify "mailto:me@example.com" is not an http\(s\) URL$/,
  ],
  [
    'an unknown --only category',
    ['--only', 'plumbing', '--url', NOWHERE_URL],
    /^plex-diagnose: unknown category "plumbing"; known: account, dns, /,
  ],
  [
    'an unknown experiment',
    ['--experiment', 'port-knocking', '--url', NOWHERE_URL],
    /^plex-diagnose: unknown experiment "port-knocking" \(known: alternate-port\)$/,
  ],
  [
    'an experiment without plex.tv',
    ['--experiment', 'alternate-port', '--no-plextv', '--url', NOWHERE_URL],
    /^plex-diagnose: --experiment needs plex.tv/,
  ],
  [
    '--keep without an experiment',
    ['--keep', '--url', NOWHERE_URL],
    /^plex-diagnose: --keep keeps what an experiment changed: it needs --experiment/,
  ],
  ['a --url that is not a URL', ['--url', 'http://'], /^plex-diagnose: .*URL/i],
  [
    'a --plextv-url that is not http',
    ['--plextv-url', 'ftp://plex.tv', '--url', NOWHERE_URL],
    /^plex-diagnose: --plextv-url "ftp:\/\/plex.tv" is not an http\(s\) URL$/,
  ],
  [
    'a --upnp-location that is not http',
    ['--upnp-location', 'rootDesc.xml', '--url', NOWHERE_URL],
    /^plex-diagnose: --upnp-location "rootDesc.xml" is not an http\(s\) URL$/,
  ],
  [
    'a bad --ssdp-address',
    ['--ssdp-address', 'router:port', '--url', NOWHERE_URL],
    /^plex-diagnose: --ssdp-address "router:port" is not host:port$/,
  ],
  [
    'a bad --natpmp-gateway',
    ['--natpmp-gateway', '192.168.1.1:99999', '--url', NOWHERE_URL],
    /^plex-diagnose: --natpmp-gateway "192.168.1.1:99999" is not host:port$/,
  ],
  [
    'a bad --gdm-target',
    ['--gdm-target', 'router:0', '--url', NOWHERE_URL],
    /^plex-diagnose: --gdm-target "router:0" is not host:port$/,
  ],
  [
    'a bad discover --gdm-target',
    ['discover', '--gdm-target', '127.0.0.1:70000'],
    /^plex-diagnose: --gdm-target "127.0.0.1:70000" is not host:port$/,
  ],
  [
    'a bad --resolver',
    ['--resolver', '1.1.1.1:dns', '--url', NOWHERE_URL],
    /^plex-diagnose: --resolver "1.1.1.1:dns" is not host:port$/,
  ],
  [
    'an empty --plextv-url (not "use the real plex.tv")',
    ['--plextv-url', '', '--url', NOWHERE_URL],
    /^plex-diagnose: --plextv-url is empty \(see `plex-diagnose --help`\)$/,
  ],
  [
    'an empty --gdm-target (not "search the default targets")',
    ['discover', '--gdm-target', ''],
    /^plex-diagnose: --gdm-target is empty \(see `plex-diagnose discover --help`\)$/,
  ],
  [
    'an empty --upnp-location',
    ['collect', '--upnp-location', ' ', '--url', NOWHERE_URL],
    /^plex-diagnose: --upnp-location is empty/,
  ],
  [
    'a host with an unclosed bracket',
    ['--resolver', '[::1', '--url', NOWHERE_URL],
    /^plex-diagnose: --resolver "\[::1" is not host:port$/,
  ],
  [
    'a host that is no address or name',
    ['--ssdp-address', ':::', '--url', NOWHERE_URL],
    /^plex-diagnose: --ssdp-address ":::" is not host:port$/,
  ],
  [
    '--no-plextv with --plextv-url',
    ['--no-plextv', '--plextv-url', NOWHERE_URL, '--url', NOWHERE_URL],
    /^plex-diagnose: --no-plextv and --plextv-url contradict each other: drop one$/,
  ],
  [
    'analyze without a file',
    ['analyze'],
    /^plex-diagnose: analyze needs an argument: plex-diagnose analyze <snapshot.json> \[options\]$/,
  ],
  [
    'analyze with two files',
    ['analyze', 'a.json', 'b.json'],
    /^plex-diagnose: unexpected argument "b.json" for analyze/,
  ],
  [
    'explain of an unknown rule',
    ['explain', 'no-such-rule'],
    /^plex-diagnose: no rule "no-such-rule".*`plex-diagnose rules` lists them$/,
  ],
  [
    'demo of an unknown scenario',
    ['demo', 'flooded-basement'],
    /^plex-diagnose: unknown scenario "flooded-basement"; known: healthy, isp-blocks-32400, /,
  ],
  [
    'a login --plextv-url that is not http',
    ['login', '--plextv-url', 'ftp://plex.tv'],
    /^plex-diagnose: --plextv-url "ftp:\/\/plex.tv" is not an http\(s\) URL$/,
  ],
  ['a bad login --timeout', ['login', '--timeout', 'forever'], /^plex-diagnose: invalid timeout "forever"/],
  ['a bad discover --timeout', ['discover', '--timeout', 'a while'], /^plex-diagnose: invalid timeout "a while"/],
  [
    'a value that looks like a flag',
    ['discover', '--timeout', '-1s'],
    /^plex-diagnose: Option '--timeout' argument is ambiguous\. Did you forget to specify the option argument for '--timeout'\? To specify an option argument starting with a dash use '--timeout=-XYZ' \(see `plex-diagnose discover --help`\)$/,
  ],
];

describe.concurrent('usage errors: exit 2 with a one-line reason', () => {
  it.each(USAGE_ERRORS)('%s', async (_name, argv, reason) => {
    const result = await sandbox.run(argv, { timeoutMs: 15_000 });
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(reason);
    expect(result.code).toBe(2);
  });
});

describe('the token guard of every run', () => {
  it('fails a run whose output contains a token a test made (here: echoed back as an unknown rule id)', async () => {
    const token = distinctiveToken();
    await expect(sandbox.run(['explain', token])).rejects.toThrow(`printed the token ${token}`);
  });
});
