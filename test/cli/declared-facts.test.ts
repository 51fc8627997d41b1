/**
 * The "you said" flags through the built CLI (issue 12 item 3): each command that collects takes them, and they land
 * in the snapshot and report as their own observations (`declared.*`), shown as "you said".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot } from '../../src/diagnose/diagnose.js';
import { createSandbox, type CliSandbox } from './helpers/run-cli.js';
import { startHome, type Home } from './helpers/home.js';
import { parseReport } from './helpers/report-shape.js';

let sandbox: CliSandbox;
let home: Home;
beforeAll(async () => {
  [sandbox, home] = await Promise.all([createSandbox(), startHome()]);
});
afterAll(async () => {
  await home?.close();
  await sandbox?.cleanup();
});

const FORWARD = ['--forward', '32400:192.168.1.10:32400'];

describe.concurrent('declared facts', () => {
  it('collect: --forward, --says-remote-fails, --behind-proxy and --kubernetes are observations of their own', async () => {
    const result = await sandbox.run([
      'collect',
      ...home.args([...FORWARD, '--says-remote-fails', '--behind-proxy', '--kubernetes']),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { observations } = readSnapshot(result.stdout);
    expect(observations['declared.forwards']).toMatchObject({
      status: 'ok',
      value: { via: 'flag', forwards: [{ externalPort: 32400, host: '192.168.1.10', internalPort: 32400 }] },
    });
    expect(observations['declared.remoteAccess']).toMatchObject({ status: 'ok', value: { failsFromOutside: true } });
    expect(observations['declared.frontDoor']).toMatchObject({ status: 'ok', value: { kind: 'reverse-proxy' } });
    expect(observations['declared.kubernetes']).toMatchObject({ status: 'ok', value: { kubernetes: true } });
  });

  it('diagnose --json: --behind-tunnel is recorded; --behind-proxy with --behind-tunnel is a usage error', async () => {
    const result = await sandbox.run(['diagnose', ...home.args(['--behind-tunnel', '--kubernetes', '--json'])]);
    const report = parseReport(result.stdout);
    expect(report.observations.find((o) => o.id === 'declared.frontDoor')?.status).toBe('ok');
    expect(report.observations.find((o) => o.id === 'declared.kubernetes')?.status).toBe('ok');
    const both = await sandbox.run(['diagnose', ...home.args(['--behind-proxy', '--behind-tunnel'])]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--behind-proxy and --behind-tunnel');
  });

  it('watch: one run with every declared flag; a forward that is not ext:host:port is a usage error', async () => {
    const flags = [...FORWARD, '--says-remote-fails', '--behind-proxy', '--kubernetes'];
    const result = await sandbox.run([
      'watch',
      ...home.args([...flags, '--interval', '1s', '--max-runs', '1', '--json']),
    ]);
    expect([0, 1, 4]).toContain(result.code);
    expect(result.stdout.trim().split('\n').length).toBeGreaterThan(0);
    const bad = await sandbox.run(['watch', ...home.args(['--forward', '32400->nowhere', '--max-runs', '1'])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not external-port:host:port');
  });

  it('fix (dry run): takes the declared flags and still only plans, touching nothing', async () => {
    const flags = [...FORWARD, '--says-remote-fails', '--behind-tunnel', '--kubernetes'];
    const result = await sandbox.run(['fix', ...home.args(flags)]);
    expect(result.stderr).not.toContain('Unknown option');
    expect([0, 1, 2, 4]).toContain(result.code);
    const bad = await sandbox.run(['fix', ...home.args(['--behind-proxy', '--behind-tunnel'])]);
    expect(bad.code).toBe(2);
  });
});
