// Testing the example rule the way docs/writing-rules.md shows: observations in, diagnoses out, no server needed.
import { describe, expect, it } from 'vitest';
import { failed, ok, runRule } from 'plex-diagnose/testing';
import { minimumServerVersion, type ServerVersion } from './minimum-version.js';

const version = (raw: string): ServerVersion => {
  const [major, minor, patch] = raw.split(/[.-]/).map(Number);
  return { raw, parts: [major!, minor!, patch!] };
};

describe('example/minimum-server-version', () => {
  it('reports a server older than the minimum, with the exact version to update to', () => {
    const run = runRule(minimumServerVersion, { 'example.serverVersion': ok(version('1.41.3.9314-a0bfb8370')) });
    expect(run.diagnoses).toHaveLength(1);
    expect(run.diagnoses[0]).toMatchObject({ messageId: 'tooOld', severity: 'warning', confidence: 'high', data: { minimum: '1.42.0' } });
    expect(run.diagnoses[0]!.fix?.message).toContain('Update Plex Media Server to 1.42.0 or later');
  });

  it('passes at or above the minimum', () => {
    expect(runRule(minimumServerVersion, { 'example.serverVersion': ok(version('1.42.0.9975-abcdef012')) }).check.status).toBe('passed');
    expect(runRule(minimumServerVersion, { 'example.serverVersion': ok(version('2.0.0.1-abc')) }).diagnoses).toEqual([]);
  });

  it('takes the minimum from its options, and severity from the config', () => {
    const run = runRule(minimumServerVersion, { 'example.serverVersion': ok(version('1.41.3.9314-a0bfb8370')) }, { severity: 'error', options: { minimum: '1.40.0' } });
    expect(run.diagnoses).toEqual([]);
    const strict = runRule(minimumServerVersion, { 'example.serverVersion': ok(version('1.41.3.9314-a0bfb8370')) }, { severity: 'error', options: { minimum: '1.41.4' } });
    expect(strict.diagnoses[0]).toMatchObject({ severity: 'error', data: { minimum: '1.41.4' } });
  });

  it('is skipped, with the reason, when the version could not be collected', () => {
    const run = runRule(minimumServerVersion, { 'example.serverVersion': failed('PLEXDIAG_NETWORK', 'connect ECONNREFUSED') });
    expect(run.check.status).toBe('skipped');
    expect(run.check.reason).toContain('example.serverVersion');
  });
});
