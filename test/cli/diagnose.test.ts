/**
 * `diagnose` (the default command) live against the home's fakes, one flag at a time: where the LAN probes send
 * (--ssdp-address, --upnp-location, --natpmp-gateway, --resolver), --no-plextv, --timeout, and the output flags on a
 * live run (--redact-ips, --verbose, --markdown with a token in play). Each test checks that the flag reached the fake
 * it names, not only that the run ended well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, hasScript, runCliInTerminal, type CliResult, type CliSandbox } from './helpers/run-cli.js';
import { SERVER_LAN, startHome, WAN, type Home } from './helpers/home.js';
import { findings, parseReport } from './helpers/report-shape.js';

let sandbox: CliSandbox;
let home: Home;
beforeAll(async () => {
  [sandbox, home] = await Promise.all([createSandbox(), startHome({ ispBlockedPorts: [32400] })]);
});
afterAll(async () => {
  await home?.close();
  await sandbox?.cleanup();
});

const base = (h: Home): string[] => [
  '--url',
  h.server.url,
  '--plextv-url',
  h.plexTv.url,
  '--token',
  h.token,
  '--timeout',
  '2s',
];
const noToken = (h: Home, result: CliResult): void => expect(result.stdout + result.stderr).not.toContain(h.token);
const observation = (stdout: string, id: string) => parseReport(stdout).observations.find((o) => o.id === id);

describe('where the LAN probes send', () => {
  it('--ssdp-address: UPnP discovery by M-SEARCH to the fake router, which lists the forward', async () => {
    const ssdp = home.igd.requests.ssdp;
    const result = await sandbox.run([
      ...base(home),
      '--ssdp-address',
      home.igd.ssdpAddress,
      '--natpmp-gateway',
      `127.0.0.1:${home.natPmp.port}`,
      '--json',
    ]);
    expect(home.igd.requests.ssdp).toBeGreaterThan(ssdp);
    expect(observation(result.stdout, 'probe.upnp')).toMatchObject({ status: 'ok' });
    // The router evidence the ISP-block verdict needs came through SSDP, not a given location.
    expect(findings(parseReport(result.stdout))[0]).toBe('isp-blocks-port/likely');
    noToken(home, result);
  });

  it('--upnp-location: the description read directly, no SSDP', async () => {
    const ssdp = home.igd.requests.ssdp;
    const description = home.igd.requests.description;
    const result = await sandbox.run([
      ...base(home),
      '--upnp-location',
      home.igd.location,
      '--natpmp-gateway',
      `127.0.0.1:${home.natPmp.port}`,
      '--json',
    ]);
    expect(home.igd.requests.ssdp).toBe(ssdp);
    expect(home.igd.requests.description).toBeGreaterThan(description);
    expect(parseReport(result.stdout).diagnoses[0]!.evidence).toContainEqual({
      source: 'router (UPnP)',
      observed: `forward TCP 32400 → ${SERVER_LAN}:${home.server.port} "Plex Media Server"`,
    });
  });

  it('--natpmp-gateway: NAT-PMP asked at the fake gateway, which reports the WAN address', async () => {
    const before = home.natPmp.requests;
    const result = await sandbox.run([
      ...base(home),
      '--upnp-location',
      home.igd.location,
      '--natpmp-gateway',
      `127.0.0.1:${home.natPmp.port}`,
      '--json',
      '--verbose',
    ]);
    expect(home.natPmp.requests).toBeGreaterThan(before);
    expect(observation(result.stdout, 'probe.natpmp')).toMatchObject({ status: 'ok' });
  });

  it('--resolver: plex.direct names checked against that DNS server too; its rebinding protection is named', async () => {
    const rebinding = await startHome({ plexDirect: true, dns: 'rebind-empty' });
    try {
      const result = await sandbox.run([...rebinding.args(['--token', rebinding.token, '--json'])]);
      expect(rebinding.dns.queries.some((q) => q.name.endsWith('.plex.direct'))).toBe(true);
      const report = parseReport(result.stdout);
      const finding = report.diagnoses.find((d) => d.messageId === 'rebindingBlocked');
      expect(finding?.ruleId).toBe('plex-direct-dns-rebinding');
      expect(finding?.message).toContain(`DNS server ${rebinding.dns.address} refuses 192-168-1-10.`);
      noToken(rebinding, result);
    } finally {
      await rebinding.close();
    }
  });
});

describe('plex.tv and deadlines', () => {
  it('--no-plextv: plex.tv is not asked at all, and the checks that need it say so', async () => {
    const before = home.plexTv.requests.length;
    const result = await sandbox.run([
      ...home.args(['--token', home.token, '--no-plextv', '--json'], { plexTv: false }),
    ]);
    expect(home.plexTv.requests.length).toBe(before);
    const report = parseReport(result.stdout);
    expect(report.context.plexTv).toBe(false);
    const skipped = report.observations.filter((o) => o.id.startsWith('plextv.'));
    expect(skipped.length).toBeGreaterThan(0);
    for (const o of skipped) expect(o.status).toBe('skipped');
  });

  it('--timeout: a server that accepts but never answers is reported within that deadline, not after its own', async () => {
    const slow = await startHome();
    slow.server.setLatency(20_000);
    try {
      const result = await sandbox.run([...slow.args(['--token', slow.token, '--timeout', '500ms', '--json'])], {
        timeoutMs: 15_000,
      });
      const report = parseReport(result.stdout);
      expect(report.diagnoses[0]).toMatchObject({ ruleId: 'server-unreachable', rank: 'root-cause' });
      expect(report.observations.find((o) => o.id === 'server.identity')?.error).toMatchObject({
        code: 'PLEXDIAG_TIMEOUT',
        phase: 'timeout',
      });
      expect(result.code).toBe(1);
    } finally {
      await slow.close();
    }
  });
});

describe('output flags on a live run', () => {
  it('--redact-ips: no address of the home in the text, the token nowhere', async () => {
    const [plain, redacted] = await Promise.all([
      sandbox.run([...home.args(['--token', home.token, '--no-color'])]),
      sandbox.run([...home.args(['--token', home.token, '--no-color', '--redact-ips'])]),
    ]);
    expect(plain.stdout).toContain(WAN);
    for (const address of [WAN, SERVER_LAN]) expect(redacted.stdout).not.toContain(address);
    expect(redacted.stdout).toContain('✗ isp-blocks-port');
    noToken(home, redacted);
  });

  it('--markdown: forum-ready, with the public address and the token gone', async () => {
    const result = await sandbox.run([...home.args(['--token', home.token, '--markdown'])]);
    expect(result.stdout).toContain('```mermaid\nflowchart LR');
    expect(result.stdout).toContain('### ❌ `isp-blocks-port`');
    for (const secret of [WAN, '84-1-1-2', SERVER_LAN, home.token]) expect(result.stdout).not.toContain(secret);
    noToken(home, result);
    expect(result.code).toBe(1);
  });

  it('--verbose: every check and every observation of the run, with times', async () => {
    const result = await sandbox.run([...home.args(['--token', home.token, '--no-color', '--verbose'])]);
    expect(result.stdout).toContain('\nObservations\n');
    for (const id of [
      'server.identity',
      'server.account',
      'server.prefs',
      'plextv.resources',
      'probe.upnp',
      'probe.natpmp',
      'probe.host',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`\\n  ok +${id.replace('.', '\\.')} +\\d+ ms`));
    }
    expect(result.stdout).toMatch(/\n {4}failed +isp-blocks-port\n/);
    noToken(home, result);
  });
});

describe('progress', () => {
  const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

  it.skipIf(!hasScript())('a spinner on a terminal while collecting; none into a pipe', async () => {
    const slow = await startHome();
    // Slow enough for the spinner (100 ms frames) to draw a few times.
    slow.server.setLatency(400);
    try {
      const [terminal, piped] = await Promise.all([
        runCliInTerminal([...slow.args(['--token', slow.token, '--no-color'])], { env: sandbox.env() }),
        sandbox.run([...slow.args(['--token', slow.token, '--no-color'])]),
      ]);
      expect(terminal.stdout).toMatch(SPINNER);
      expect(terminal.stdout).toMatch(/\(\d+ done\)/);
      expect(piped.stderr).not.toMatch(SPINNER);
      expect(piped.stderr).not.toContain('\r');
      expect(piped.stderr).toBe(`server: ${slow.server.url}\ntoken: from --token\n`);
      noToken(slow, terminal);
    } finally {
      await slow.close();
    }
  });
});
