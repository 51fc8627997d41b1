/**
 * The CLI given bad flags exits 2 with a one-line reason on stderr, before touching the network. The cases are
 * generated from the options table itself (src/cli/command-table.ts): every command × unknown flags and other commands'
 * flags, every valued flag without its value, every parsed flag with bad values, too many arguments, and the
 * contradicting pairs. test/cli/ has hand-picked cases with exact wording; this is the systematic sweep.
 *
 * In process (main() with captured streams), with every network-facing option pointed at a closed loopback port: a
 * bad value that slipped through would run a short, harmless diagnosis of 127.0.0.1:9 and the test would see exit 1.
 * HTTP to anything but loopback is refused in this file, in case a slipped value fell back to a real host.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { COMMANDS, GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from '../../src/cli/command-table.js';
import { buildSnapshot } from '../../src/testing/observations.js';

const CLOSED = '127.0.0.1:9';

/** Values that make a run harmless and quick; a case's own flag always comes after them (the last one wins). */
const SAFE: Record<string, string> = {
  url: `http://${CLOSED}`,
  'plextv-url': `http://${CLOSED}`,
  timeout: '300ms',
  'upnp-location': `http://${CLOSED}/rootDesc.xml`,
  'ssdp-address': CLOSED,
  'natpmp-gateway': CLOSED,
  'gdm-target': CLOSED,
  'max-runs': '1',
};

/** Bad values per option: each must be refused with exit 2. Options missing here take any text (token, exec...). */
const BAD_VALUES: Record<string, string[]> = {
  url: [
    'not a url',
    'ftp://192.168.1.10',
    'http://user:pass@192.168.1.10:32400',
    'http://192.168.1.10:32400/?X-Plex-Token=abcdef123456',
    '',
  ],
  timeout: ['abc', '0', '-5s', '5 parsecs', ''],
  'plextv-url': ['nope', 'file:///etc/passwd', ''],
  'upnp-location': ['nope', 'ftp://192.168.1.1/desc.xml', ''],
  'ssdp-address': ['239.255.255.250:99999', ':1900', '[::1', ''],
  'natpmp-gateway': ['192.168.1.1:0', '192.168.1.1:65536', ''],
  'gdm-target': ['x:99999', ':32414', ''],
  resolver: ['1.1.1.1:70000', '[::1'],
  experiment: ['nope', 'alternate_port'],
  rule: ['cgnat', 'cgnat=loud', 'no-such-rule=off', '=off'],
  only: ['no-such-category'],
  rules: ['./no-such-rule-pack.js'],
  'fail-on': ['sometimes', 'errors', ''],
  interval: ['abc', '1ms', '0', ''],
  debounce: ['0', '-1', '1.5', 'x', ''],
  'max-runs': ['0', '-1', 'x', ''],
  notify: ['not-a-url', 'ftp://example.com/hook', ''],
};

/** Contradicting flags, for every command that has all of them. */
const CONFLICTS: string[][] = [
  ['--json', '--markdown'],
  ['--no-plextv', '--experiment', 'alternate-port'],
  ['--no-plextv', '--plextv-url', `http://${CLOSED}`],
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let sandbox: string;
let snapshotFile: string;
const previousDispatcher = getGlobalDispatcher();
beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'pd-flags-'));
  snapshotFile = join(sandbox, 'snapshot.json');
  await writeFile(snapshotFile, JSON.stringify(buildSnapshot()));
  // Should a bad value slip through and default to a real host (an empty --plextv-url once meant https://plex.tv),
  // the HTTP request fails here at once instead of leaving the machine.
  const guard = new MockAgent();
  guard.disableNetConnect();
  guard.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  setGlobalDispatcher(guard);
});
afterAll(async () => {
  setGlobalDispatcher(previousDispatcher);
  await rm(sandbox, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough().on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const err = new PassThrough().on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A safety net: a case that slipped through is stopped (exit 130), never left running.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const code = await main(argv, {
      stdout: out,
      stderr: err,
      stdin: Readable.from([]),
      env: {
        PATH: process.env.PATH,
        HOME: sandbox,
        PLEX_DIAGNOSE_CONFIG_DIR: join(sandbox, 'config'),
        PLEX_DIAGNOSE_PLEXTV_URL: `http://${CLOSED}`,
      },
      cwd: sandbox,
      signal: controller.signal,
    });
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

function expectUsageError(result: Run, mention?: string): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
  expect(result.stderr).toMatch(/^plex-diagnose: [^\n]+\n$/);
  if (mention !== undefined) expect(result.stderr).toContain(mention);
}

const positionalsFor = (command: CommandSpec): string[] =>
  command.name === 'analyze' ? [snapshotFile] : command.name === 'explain' ? ['cgnat'] : [];
const has = (command: CommandSpec, name: string): OptionSpec | undefined =>
  command.options.find((o) => o.name === name);
/** The command, its positionals and the safe flags it takes, except `without`. */
function base(command: CommandSpec, without: string[] = []): string[] {
  const flags = Object.entries(SAFE)
    .filter(([name]) => has(command, name) && !without.includes(name))
    .flatMap(([name, value]) => [`--${name}`, value]);
  return [command.name, ...positionalsFor(command), ...flags];
}

const valued = (command: CommandSpec): OptionSpec[] =>
  [...command.options, ...GLOBAL_OPTIONS].filter((o) => o.type === 'string');
const allFlags = [...new Set(COMMANDS.flatMap((c) => c.options.map((o) => o.name)))];

describe.each(COMMANDS.map((c) => [c.name, c] as const))('%s', (_name, command) => {
  const unknown = [
    '--bogus',
    '--JSON',
    '-Z',
    '--url-',
    ...allFlags
      .filter((f) => !has(command, f))
      .slice(0, 4)
      .map((f) => `--${f}`),
  ];
  it.each(unknown)('unknown flag %s', async (flag) => {
    expectUsageError(await run([...base(command), flag]), flag.replace(/=.*/, ''));
  });

  it.each(valued(command).map((o) => [o.name, o] as const))(
    '--%s without its value (at the end, and before another flag)',
    async (name, option) => {
      expectUsageError(await run([...base(command, [name]), `--${name}`]), `--${name}`);
      expectUsageError(await run([...base(command, [name]), `--${name}`, '-x']), `--${name}`);
      if (option.short) expectUsageError(await run([...base(command, [name]), `-${option.short}`]));
    },
  );

  const badCases = valued(command).flatMap((o) => (BAD_VALUES[o.name] ?? []).map((value) => [o.name, value] as const));
  it.each(badCases)('--%s %j', async (name, value) => {
    expectUsageError(await run([...base(command), `--${name}`, value]));
  });

  it('one argument too many', async () => {
    expectUsageError(
      await run([...base(command), ...(command.positionals[1] === 0 ? ['extra'] : ['extra', 'more'])]),
      'unexpected argument',
    );
  });

  for (const flags of CONFLICTS) {
    const names = flags.filter((f) => f.startsWith('--')).map((f) => f.slice(2));
    if (!names.every((n) => has(command, n))) continue;
    it(`contradicting ${flags.join(' ')}`, async () => {
      expectUsageError(await run([...base(command, names), ...flags]));
    });
  }
});

describe('before any command', () => {
  it.each(['nosuchcommand', 'Diagnose', 'diagnose-'])('an unknown command %s', async (name) => {
    expectUsageError(await run([name]), name);
  });
});
