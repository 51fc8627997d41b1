/**
 * Outside checks in the lab (issue 13 item 6): the built reflector (`node dist/cli.js reflector`) runs in the lab's
 * internet namespace on 84.0.0.2 (public-class, the ISP link's far end), and the built CLI on the server's LAN host
 * asks it to connect back (`--reflector http://84.0.0.2:7000 --reflector-secret-file ...`). The reflector's SYNs
 * cross the real ISP filter and the router's real NAT, so what it sees is what the internet sees.
 *
 * Hairpin: the lab's routers have no NAT loopback, so the hairpin scenario puts the reflector at the home's own
 * public address (the router's WAN, 84.1.1.2) in the router's namespace: the check then never leaves the home, which
 * is exactly what a hairpin check is, and the CLI must record it as `hairpin` and never count its "open".
 *
 * Each scenario asserts the top diagnosis, the exit code and that neither the token nor the reflector secret appears
 * in the output; it prints the verdict and the wall time for the closing note (no time assertions).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { withLab, type Lab, type LabRole, type LabScenario } from './harness/index.js';
import { distDir } from './harness/paths.js';
import { runCli, summarize, type CliRun } from './cli-run.js';
import { describeLab, forward, LAN_HOST } from './support.js';

const REFLECTOR_IP = '84.0.0.2';
const REFLECTOR_PORT = 7000;
const SECRET = 'lab-reflector-secret-5f1c0a9e7d3b2a6c4e8f0b1d';
const ISP_DROPS_32400 = { block: [{ port: 32400, action: 'drop' as const }] };

/** The reflector from the build, in `role` on `ip`, with the secret in a 0600 file; resolves once it listens. */
async function startReflector(lab: Lab, role: LabRole, ip: string): Promise<string> {
  const secretFile = join(lab.dir, 'reflector.secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  chmodSync(secretFile, 0o600);
  lab.spawn(role, 'reflector', [
    process.execPath,
    join(distDir(), 'cli.js'),
    'reflector',
    '--listen',
    `${ip}:${REFLECTOR_PORT}`,
    '--secret-file',
    secretFile,
  ]);
  // The CLI loads the whole package: on a loaded 2-core machine that can take several seconds.
  await lab.waitForPort(role, ip, REFLECTOR_PORT, { timeoutMs: 30_000 });
  return secretFile;
}

interface Outcome {
  run: CliRun;
  checks: { ruleId: string; status: string; reason?: string }[];
}

/** The CLI on the LAN host with the reflector; prints verdict and wall time; checks that no secret leaked. */
async function diagnoseWithReflector(
  lab: Lab,
  scenario: string,
  reflectorIp: string,
  secretFile: string,
  extra: string[] = [],
): Promise<Outcome> {
  const started = Date.now();
  const run = await runCli(lab, [
    '--reflector',
    `http://${reflectorIp}:${REFLECTOR_PORT}`,
    '--reflector-secret-file',
    secretFile,
    ...extra,
  ]);
  const wallMs = Date.now() - started;
  const verdict = (run.report?.summary as { verdict?: string } | undefined)?.verdict;
  const top = run.top ? `${run.top.ruleId}/${run.top.messageId} (${run.top.confidence})` : 'none';
  console.log(`lab outside ${scenario}: verdict ${verdict}, top ${top}, exit ${run.result.code}, ${wallMs} ms`);
  const output = run.result.stdout + run.result.stderr;
  expect(output).not.toContain(lab.token);
  expect(output).not.toContain(SECRET);
  const checks = (run.report?.checks ?? []) as Outcome['checks'];
  expect(
    checks.filter((c) => c.status === 'crashed'),
    summarize(run),
  ).toEqual([]);
  return { run, checks };
}

const status = (outcome: Outcome, ruleId: string) => outcome.checks.find((c) => c.ruleId === ruleId);

describeLab('outside checks: a reflector on the internet', () => {
  it('ISP filtering proven by the reflector: 32400 filtered, 8443 through the same router open', async () => {
    const scenario: LabScenario = {
      name: 'outside-isp',
      router: { upnp: 'miniupnpd', forwards: [forward(8443)] },
      plex: { portMapping: 'automatic' },
      isp: ISP_DROPS_32400,
    };
    await withLab(scenario, async (lab) => {
      const secretFile = await startReflector(lab, 'inet', REFLECTOR_IP);
      const outcome = await diagnoseWithReflector(lab, 'isp-filter', REFLECTOR_IP, secretFile, [
        '--forward-check',
        '8443',
      ]);
      const { run } = outcome;
      expect(run.result.code, summarize(run)).toBe(1);
      expect(run.top, summarize(run)).toMatchObject({
        ruleId: 'isp-blocks-port',
        messageId: 'provenByReflector',
        confidence: 'high',
        rank: 'root-cause',
      });
      expect(status(outcome, 'outside-reachability')?.status).toBe('failed');
    });
  });

  it('a forward to the wrong host: 32400 leads to a web server on another LAN address', async () => {
    const other = '192.168.1.99';
    const scenario: LabScenario = {
      name: 'outside-wrong-host',
      router: { forwards: [forward(32400, 32400, other)] },
      plex: { portMapping: 'manual', manualPort: 32400 },
    };
    await withLab(scenario, async (lab) => {
      // A second address on the LAN host, and a plain web server (a NAS page) on it: where the forward really leads.
      const added = await lab.exec('lan', ['ip', 'addr', 'add', `${other}/24`, 'dev', 'eth0']);
      expect(added.code, added.stderr).toBe(0);
      const page = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/html' }); s.end('<html><title>NAS login</title></html>'); }).listen(32400, '${other}')`;
      lab.spawn('lan', 'other-host-web', [process.execPath, '-e', page]);
      await lab.waitForPort('lan', other, 32400, { timeoutMs: 30_000 });
      const secretFile = await startReflector(lab, 'inet', REFLECTOR_IP);
      const outcome = await diagnoseWithReflector(lab, 'wrong-host', REFLECTOR_IP, secretFile);
      const { run } = outcome;
      expect(run.result.code, summarize(run)).toBe(1);
      expect(run.top, summarize(run)).toMatchObject({
        ruleId: 'forward-reaches-other-host',
        messageId: 'notPlex',
        confidence: 'high',
        rank: 'root-cause',
      });
      expect(run.top?.message).toContain('NAS login');
    });
  });

  it('a reverse proxy on 443 by design, 32400 closed: an info finding, not an error', async () => {
    const scenario: LabScenario = {
      name: 'outside-front-door',
      router: { forwards: [forward(443, 443)] },
      plex: { portMapping: 'manual', manualPort: 32400 },
    };
    await withLab(scenario, async (lab) => {
      // The TLS front on the server host (the lab's plex.direct certificate), proxying to the fake PMS.
      const front = `const { readFileSync } = await import('node:fs'); const { startPmsFront } = await import(${JSON.stringify(join(process.cwd(), 'test/lab/bin/pms-front.mjs'))}); await startPmsFront({ host: '${LAN_HOST}', port: 443, target: { host: '127.0.0.1', port: 32400 }, tls: { cert: readFileSync(${JSON.stringify(join(lab.dir, 'plex-direct.pem'))}, 'utf8'), key: readFileSync(${JSON.stringify(join(lab.dir, 'plex-direct.key'))}, 'utf8') } });`;
      lab.spawn('lan', 'front-door', [process.execPath, '--input-type=module', '-e', front]);
      await lab.waitForPort('lan', LAN_HOST, 443, { timeoutMs: 30_000 });
      const secretFile = await startReflector(lab, 'inet', REFLECTOR_IP);
      const outcome = await diagnoseWithReflector(lab, 'front-door', REFLECTOR_IP, secretFile, [
        '--forward-check',
        '443/https',
      ]);
      const { run } = outcome;
      expect(run.top, summarize(run)).toMatchObject({
        ruleId: 'outside-front-door',
        messageId: 'byDesign',
        severity: 'info',
      });
      expect(
        run.report?.diagnoses.filter((d) => d.severity !== 'info'),
        summarize(run),
      ).toEqual([]);
      expect(status(outcome, 'outside-reachability')?.status).toBe('passed');
      expect(status(outcome, 'mapping-failed')).toMatchObject({ status: 'not-checked', reason: /closed by design/ });
      expect(run.result.code, summarize(run)).toBe(0);
    });
  });

  it('hairpin-only success: the check to our own public address gets in, the internet does not: never ok', async () => {
    const scenario: LabScenario = {
      name: 'outside-hairpin',
      router: { upnp: 'miniupnpd' },
      plex: { portMapping: 'automatic' },
      isp: ISP_DROPS_32400,
    };
    await withLab(scenario, async (lab) => {
      const secretFile = await startReflector(lab, 'rtr', lab.addresses.routerWanIp);
      const outcome = await diagnoseWithReflector(lab, 'hairpin', lab.addresses.routerWanIp, secretFile);
      const { run } = outcome;
      expect((run.report?.summary as { verdict?: string }).verdict, summarize(run)).not.toBe('ok');
      expect(run.result.code, summarize(run)).toBe(1);
      expect(run.top, summarize(run)).toMatchObject({ ruleId: 'isp-blocks-port', messageId: 'likely' });
      expect(status(outcome, 'outside-reachability')).toMatchObject({ status: 'not-checked', reason: /hairpin/ });
    });
  });
});
