/**
 * Issue 12's guard: with any one observation removed, no built-in rule crashes, and a broken setup never ends "ok";
 * the healthy snapshot ends ok only while the deciding observations are there.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/diagnose/diagnose.js';
import { accountValue, buildSnapshot, healthyObservations, ok } from '../../src/testing/observations.js';

const broken = () => {
  const o = healthyObservations();
  o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'unreachable' }));
  return o;
};

describe('partial evidence', () => {
  const ids = Object.keys(healthyObservations());
  it.each(ids)('without %s: no crash; a broken setup is never ok', (id) => {
    const o = broken();
    delete o[id];
    const report = analyze(buildSnapshot(o));
    expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([]);
    expect(report.verdict.status).not.toBe('ok');
    for (const c of report.checks) if (c.status === 'passed') expect(c.evidence!.length).toBeGreaterThan(0);
  });
  it.each(ids)('healthy without %s: no crash, and ok only if the deciding checks still passed', (id) => {
    const o = healthyObservations();
    delete o[id];
    const report = analyze(buildSnapshot(o));
    expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([]);
    const decided = report.checks.filter((c) => c.decides && c.status === 'passed').map((c) => c.decides);
    if (report.verdict.status === 'ok')
      expect(new Set(decided)).toEqual(
        new Set(['server-answers', 'remote-access-enabled', 'reachable-from-outside', 'lan-secure-names']),
      );
  });
  it('an empty snapshot is inconclusive, with every deciding question missing', () => {
    const report = analyze(buildSnapshot({}));
    expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([]);
    expect(report.verdict.status).toBe('inconclusive');
    expect(report.verdict.missing.map((m) => m.decides).sort()).toEqual([
      'lan-secure-names',
      'reachable-from-outside',
      'remote-access-enabled',
      'server-answers',
    ]);
  });
  it('the healthy snapshot is ok, with every check passed on evidence', () => {
    const report = analyze(buildSnapshot(healthyObservations()));
    expect(report.verdict).toEqual({ status: 'ok', missing: [] });
    expect(report.summary.warnings + report.summary.errors).toBe(0);
  });
});
