import { afterEach, describe, expect, it } from 'vitest';
import { addAlternateMapping, decideOutcome, ExperimentStop } from '../../../src/experiments/alternate-port/steps.js';
import { createIgdClient } from '../../../src/probes/upnp/client.js';
import { startFakeIgd, type FakeIgd } from '../../../src/testing/fake-igd/index.js';
import { FORWARD_32400, SERVER_LAN_IP } from './helpers.js';

const PORT = 47123;
const failedBefore = { mappingState: 'failed', mappingError: 'unreachable', publicPort: 0 };
const mappedBefore = { mappingState: 'mapped', publicPort: 32400 };
const fresh = { sawChange: false, settled: false };

describe('decideOutcome', () => {
  it.each([
    ['mapped on the new port', { mappingState: 'mapped', publicPort: PORT }, failedBefore, fresh, 'reachable'],
    [
      'still mapped on the old port',
      { mappingState: 'mapped', publicPort: 32400 },
      mappedBefore,
      { sawChange: true, settled: true },
      undefined,
    ],
    ['mapped, port not reported, state changed', { mappingState: 'mapped' }, failedBefore, fresh, 'reachable'],
    [
      'mapped, port not reported, same as before, not settled',
      { mappingState: 'mapped' },
      { mappingState: 'mapped' },
      fresh,
      undefined,
    ],
    [
      'mapped, port not reported, same as before, settled',
      { mappingState: 'mapped' },
      { mappingState: 'mapped' },
      { sawChange: false, settled: true },
      'reachable',
    ],
    [
      'failed after mapped before',
      { mappingState: 'failed', mappingError: 'unreachable' },
      mappedBefore,
      fresh,
      'unreachable',
    ],
    [
      'failed as before, nothing seen in between',
      { mappingState: 'failed', mappingError: 'unreachable' },
      failedBefore,
      fresh,
      undefined,
    ],
    [
      'failed as before, after a waiting state',
      { mappingState: 'failed', mappingError: 'unreachable' },
      failedBefore,
      { sawChange: true, settled: false },
      'unreachable',
    ],
    [
      'failed as before, settled',
      { mappingState: 'failed' },
      failedBefore,
      { sawChange: false, settled: true },
      'unreachable',
    ],
    ['waiting', { mappingState: 'waiting' }, failedBefore, { sawChange: true, settled: true }, undefined],
    ['unknown', { mappingState: 'unknown' }, failedBefore, { sawChange: true, settled: true }, undefined],
    ['no state at all', {}, failedBefore, { sawChange: true, settled: true }, undefined],
  ] as const)('%s → %s', (_name, view, before, progress, expected) => {
    expect(decideOutcome(view, before, PORT, progress)).toBe(expected);
  });
});

describe('addAlternateMapping', () => {
  const igds: FakeIgd[] = [];
  afterEach(async () => {
    await Promise.all(igds.splice(0).map((igd) => igd.close()));
  });

  async function context(random: number[], existing = [FORWARD_32400]) {
    const igd = await startFakeIgd({ externalIp: '203.0.113.10', mappings: existing });
    igds.push(igd);
    const steps: string[] = [];
    return {
      igd,
      steps,
      run: (options: { internalClient?: string; existingMappings?: typeof existing } = {}) =>
        addAlternateMapping({
          igd: createIgdClient(igd, { timeoutMs: 1000 }),
          options: {
            internalClient: options.internalClient ?? SERVER_LAN_IP,
            existingMappings: options.existingMappings ?? existing,
          },
          internalPort: 32400,
          description: 'test',
          leaseSeconds: 3600,
          step: (name, ok, detail) => steps.push(`${name} ${ok} ${detail ?? ''}`),
          signal: undefined,
          random: () => random.shift() ?? 40000,
        }),
    };
  }

  it('skips random ports listed in existingMappings, and ports the router already maps', async () => {
    const ssh = {
      ...FORWARD_32400,
      externalPort: 45001,
      internalPort: 22,
      internalClient: '192.168.1.30',
      description: 'ssh',
    };
    const { igd, run, steps } = await context([45000, 45000, 45001, 45002], [FORWARD_32400, ssh]);
    // 45000 is in the caller's list (from the probe); 45001 is only in the router's live table.
    const added = await run({ existingMappings: [FORWARD_32400, { ...ssh, externalPort: 45000 }] });
    expect(added.externalPort).toBe(45002);
    expect(steps[0]).toContain('already mapped to 192.168.1.30:22');
    expect(igd.mappings().map((m) => m.externalPort)).toEqual([32400, 45001, 45002]);
  });

  it('refuses an internalClient that is not an IP address before asking the router anything', async () => {
    const { igd, run } = await context([45000]);
    const error = await run({ internalClient: 'plex.local' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExperimentStop);
    expect((error as ExperimentStop).outcome).toBe('not-run');
    expect(igd.requests.soap).toEqual([]);
  });
});
