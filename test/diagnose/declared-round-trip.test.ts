/** Issue 12: declared facts enter the snapshot as declared.* observations and survive collect → JSON → analyze. */
import { describe, expect, it } from 'vitest';
import { collect } from '../../src/diagnose/collect.js';
import { analyze, readSnapshot } from '../../src/diagnose/diagnose.js';
import { startScenario } from '../../src/testing/scenarios/index.js';

describe('declared facts round-trip', () => {
  it('collect → JSON → readSnapshot → analyze keeps them and gives the same report', async () => {
    const run = await startScenario('healthy');
    try {
      const snapshot = await collect({
        ...run.options,
        declared: {
          forwards: [{ externalPort: 32400, host: '192.168.1.10', internalPort: 32400 }],
          failsFromOutside: true,
          frontDoor: 'tunnel',
          kubernetes: true,
        },
      });
      expect(snapshot.observations['declared.forwards']).toMatchObject({ status: 'ok', value: { via: 'flag' } });
      // Stated facts are recorded even when no rule reads them.
      expect(snapshot.observations['declared.kubernetes']).toMatchObject({ status: 'ok', value: { kubernetes: true } });
      expect(snapshot.observations['declared.frontDoor']).toMatchObject({ status: 'ok', value: { kind: 'tunnel' } });
      const direct = analyze(snapshot);
      const reloaded = analyze(readSnapshot(JSON.stringify(snapshot)));
      expect(reloaded).toEqual(direct);
      // The scenario is healthy: plex.tv connected, so "it fails from outside" is contradicted by a measurement.
      const contradiction = direct.diagnoses.find((d) => d.ruleId === 'declared-fact-contradicted');
      expect(contradiction).toMatchObject({ messageId: 'saysFailsButMapped', confidence: 'medium' });
      expect(contradiction!.evidence.find((e) => e.declared)).toMatchObject({ source: 'declared.remoteAccess' });
    } finally {
      await run.close();
    }
  });

  it('an unstated fact is skipped with how to state it, and a wrong value is refused on load', async () => {
    const run = await startScenario('healthy');
    try {
      const snapshot = await collect(run.options);
      expect(snapshot.observations['declared.remoteAccess']).toMatchObject({
        status: 'skipped',
        reason: expect.stringContaining('--says-remote-fails'),
      });
      const bad = JSON.parse(JSON.stringify(snapshot)) as { observations: Record<string, unknown> };
      bad.observations['declared.forwards'] = { status: 'ok', value: { via: 'flag', forwards: [] }, durationMs: 0 };
      expect(() => readSnapshot(bad)).toThrow(/declared\.forwards/);
    } finally {
      await run.close();
    }
  });
});
