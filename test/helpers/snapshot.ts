import type { Observation } from '../../src/core/observation.js';
import type { Snapshot } from '../../src/core/snapshot.js';

/** A minimal valid snapshot around the given observations. */
export function makeSnapshot(observations: Record<string, Observation>, overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    schemaVersion: 1,
    tool: { name: 'plex-diagnose', version: '0.0.0-test' },
    createdAt: '2026-11-25T10:00:00.000Z',
    durationMs: 1234,
    target: { url: 'http://192.168.1.10:32400' },
    context: { tokenProvided: true, plexTv: true, experiments: [] },
    redaction: { token: true, ips: false },
    observations,
    ...overrides,
  };
}

export const ok = <T>(value: T, durationMs = 5): Observation<T> => ({ status: 'ok', value, durationMs });
export const failed = (code: string, message: string, extra: Record<string, unknown> = {}): Observation => ({
  status: 'failed',
  error: { code, message, ...extra },
  durationMs: 5,
});
export const skipped = (reason: string): Observation => ({ status: 'skipped', reason, durationMs: 0 });
