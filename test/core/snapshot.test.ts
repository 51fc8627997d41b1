import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadSnapshot } from '../../src/core/snapshot.js';
import { defineCollector } from '../../src/collect/define-collector.js';
import { SnapshotError } from '../../src/core/errors.js';
import { makeSnapshot, ok } from '../helpers/snapshot.js';

const account = defineCollector({
  id: 'server.account',
  title: 'Account',
  schema: z.object({ publicPort: z.number() }),
  collect: async () => ({ publicPort: 1 }),
});

describe('loadSnapshot', () => {
  it('round-trips through JSON', () => {
    const snapshot = makeSnapshot({ 'server.account': ok({ publicPort: 32400 }) });
    expect(loadSnapshot(JSON.stringify(snapshot), { collectors: [account] })).toEqual(snapshot);
  });

  it('explains what is wrong: not JSON, not a snapshot, newer schema, wrong value shape', () => {
    const fail = (input: unknown): SnapshotError => {
      try {
        loadSnapshot(input, { collectors: [account] });
      } catch (error) {
        expect(error).toBeInstanceOf(SnapshotError);
        return error as SnapshotError;
      }
      throw new Error('expected a SnapshotError');
    };
    expect(fail('{"schemaVersion": 1,').message).toMatch(/not valid JSON/);
    expect(fail('{"hello":"world"}').message).toMatch(/not a plex-diagnose snapshot \(schemaVersion/);
    expect(fail({ ...makeSnapshot({}), schemaVersion: 7 }).message).toMatch(/schema version 7, newer than .* upgrade/);
    const wrong = fail(makeSnapshot({ 'server.account': ok({ publicPort: 'many' }) }));
    expect(wrong.issues[0]?.path).toEqual(['observations', 'server.account', 'value', 'publicPort']);
  });

  it('accepts observations of collectors it does not know (user collectors from elsewhere)', () => {
    const snapshot = makeSnapshot({ 'my.custom': ok({ anything: [1, 2] }) });
    expect(loadSnapshot(snapshot).observations['my.custom']).toEqual(ok({ anything: [1, 2] }));
  });
});
