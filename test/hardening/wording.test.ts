/**
 * Small lies the red-team pass found (issue 15 item 7): each message must say what happened and each fix must name
 * the right thing. One test per lie; the subprocess ones live in unbounded-input.test.ts ("restoring any changes").
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Observation } from '../../src/core/observation.js';
import serverUnreachable from '../../src/rules/builtin/server-unreachable.js';
import { evaluateRules } from '../../src/rules/engine.js';
import { classifyFailure } from '../../src/rules/observation-failure.js';
import { buildSnapshot, failed, healthyObservations } from '../../src/testing/observations.js';

function diagnoseIdentityFailure(url: string, identity: Observation) {
  const observations = healthyObservations();
  observations['server.identity'] = identity;
  delete observations['server.account'];
  delete observations['probe.target'];
  const report = evaluateRules(buildSnapshot(observations, { target: { url } }), { rules: [serverUnreachable] });
  const finding = report.diagnoses.find((d) => d.ruleId === 'server-unreachable');
  expect(finding).toBeDefined();
  return finding!;
}

describe('a DNS failure is not a timeout', () => {
  it('EAI_AGAIN under a deadline is classified as DNS, and the finding says the name does not resolve', () => {
    const error = { code: 'PLEXDIAG_TIMEOUT', phase: 'timeout', causeCode: 'EAI_AGAIN', message: 'deadline passed' };
    expect(classifyFailure(error).kind).toBe('dns');
    const finding = diagnoseIdentityFailure(
      'http://plex.invalid:32400',
      failed('PLEXDIAG_TIMEOUT', 'GET http://plex.invalid:32400/identity: timed out', {
        phase: 'timeout',
        causeCode: 'EAI_AGAIN',
      }),
    );
    expect(finding.messageId).toBe('nameNotResolved');
    expect(finding.message).not.toMatch(/did not answer in time/);
  });
});

describe('the fix names the right port', () => {
  it('a closed port 1: the fix finds the port Plex listens on, it does not grep for 32400', () => {
    const finding = diagnoseIdentityFailure(
      'http://192.168.1.10:1',
      failed('PLEXDIAG_NETWORK', 'GET http://192.168.1.10:1/identity: ECONNREFUSED', {
        phase: 'connect',
        causeCode: 'ECONNREFUSED',
      }),
    );
    expect(finding.messageId).toBe('refused');
    expect(finding.fix?.message).not.toMatch(/grep 32400/);
    expect(finding.fix?.message).toMatch(/grep -i plex/);
  });

  it.each([
    ['an HTML page', failed('PLEXDIAG_DECODE', 'got an HTML page instead of Plex data', {})],
    ['something else', failed('PLEXDIAG_VALIDATION', 'no machineIdentifier', {})],
  ])('a web server that is not Plex on port 8080 (%s): the fix points at 32400, not 8080 again', (_, identity) => {
    const finding = diagnoseIdentityFailure('http://192.168.1.10:8080', identity);
    expect(finding.fix?.fixId).toBe('pointAtPlex');
    expect(finding.fix?.message).toContain('--url http://192.168.1.10:32400');
    expect(finding.fix?.message).not.toContain(':8080`');
  });
});

describe('the CLI speaks in flags', () => {
  async function run(env: Record<string, string>, argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const err = new PassThrough().on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const code = await main(argv, {
        stdout: new PassThrough(),
        stderr: err,
        stdin: Readable.from([]),
        env: { PATH: process.env.PATH, HOME: '/nonexistent', PLEX_DIAGNOSE_PLEXTV_URL: 'http://127.0.0.1:9', ...env },
        cwd: process.cwd(),
        signal: controller.signal,
      });
      return { code, stderr };
    } finally {
      clearTimeout(timer);
    }
  }

  it.each([
    ['a token in the URL', 'http://127.0.0.1:9/?X-Plex-Token=abcdef123456'],
    ['credentials in the URL', 'http://user:pass@127.0.0.1:9'],
  ])('%s from PLEX_URL: a usage error naming --token, not "baseUrl" or "the `token` option"', async (_, url) => {
    const result = await run({ PLEX_URL: url }, ['--timeout', '300ms']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/baseUrl|with the `token` option/);
    expect(result.stderr).toMatch(/server URL must not .*--token/);
    expect(result.stderr).not.toContain('abcdef123456');
  });
});
