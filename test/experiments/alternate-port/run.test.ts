/** The alternate-port experiment end to end against the fake PMS and the fake IGD on loopback. */
import { readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AlternatePortJournal } from '../../../src/experiments/alternate-port/schema.js';
import { AlternatePortResult, type AlternatePortStep } from '../../../src/collect/values/alternate-port.js';
import { MAPPING_DESCRIPTION, runAlternatePortExperiment } from '../../../src/experiments/alternate-port/run.js';
import type { FakeMapping } from '../../../src/testing/fake-igd/index.js';
import { FORWARD_32400, ispBlocks32400, SERVER_LAN_IP, startLab, TOKEN, type Lab } from './helpers.js';

const labs: Lab[] = [];
async function lab(...args: Parameters<typeof startLab>): Promise<Lab> {
  const started = await startLab(...args);
  labs.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
});

/** Everything is as it was: the prefs, the router table, and no journal left. */
async function expectRestored(l: Lab, prefsBefore: Record<string, string>, tableBefore: FakeMapping[]): Promise<void> {
  expect(l.fake.state.prefs).toEqual(prefsBefore);
  expect(l.igd.mappings()).toEqual(tableBefore);
  await expect(stat(l.journalPath)).rejects.toThrow(/ENOENT/);
}

const stepNames = (steps: AlternatePortStep[]): string[] => [...new Set(steps.map((s) => s.name))];

describe('runAlternatePortExperiment', () => {
  it('proves "the ISP blocks 32400": the alternate port is reachable, and every change is restored afterwards', async () => {
    const l = await lab({ reachability: ispBlocks32400 });
    const prefsBefore = { ...l.fake.state.prefs };
    const tableBefore = l.igd.mappings();
    const during: { prefs?: Record<string, string>; table?: FakeMapping[]; journal?: unknown; journalMode?: number } =
      {};

    const result = await runAlternatePortExperiment(
      l.options({
        onStep: (step) => {
          if (step.name === 'write-journal') {
            during.journal = JSON.parse(readFileSync(l.journalPath, 'utf8'));
            during.journalMode = statSync(l.journalPath).mode & 0o777;
          }
          if (step.name === 'set-prefs') {
            during.prefs = { ...l.fake.state.prefs };
            during.table = l.igd.mappings();
          }
        },
      }),
    );

    expect(result.outcome).toBe('reachable');
    const port = result.externalPort!;
    expect(port).toBeGreaterThanOrEqual(40000);
    expect(port).toBeLessThanOrEqual(60999);
    expect(result.before).toEqual({ mappingState: 'failed', mappingError: 'unreachable', publicPort: 0 });
    expect(result.after).toEqual({ mappingState: 'mapped', publicPort: port });
    expect(result).toMatchObject({
      restored: { prefs: true, mapping: true, errors: [] },
      kept: false,
      aborted: false,
      leaseSeconds: 3600,
      machineIdentifier: l.fake.machineIdentifier,
    });
    // While it ran: PMS pointed at the alternate port, and the router forwarded it with a lease.
    expect(during.prefs).toMatchObject({ ManualPortMappingMode: '1', ManualPortMappingPort: String(port) });
    expect(during.table).toContainEqual({
      remoteHost: '',
      externalPort: port,
      protocol: 'TCP',
      internalPort: 32400,
      internalClient: SERVER_LAN_IP,
      enabled: true,
      description: MAPPING_DESCRIPTION,
      leaseSeconds: 3600,
    });
    expect(during.journalMode).toBe(0o600);
    expect(AlternatePortJournal.parse(during.journal)).toMatchObject({
      machineIdentifier: l.fake.machineIdentifier,
      previousPrefs: { ManualPortMappingMode: true, ManualPortMappingPort: 32400 },
      mapping: { externalPort: port, internalPort: 32400, internalClient: SERVER_LAN_IP, protocol: 'TCP' },
    });
    expect(JSON.stringify([during.journal, result])).not.toContain(TOKEN);
    await expectRestored(l, prefsBefore, tableBefore);
    expect(l.refreshCount()).toBe(1);
    expect(stepNames(result.steps)).toEqual([
      'read-state',
      'add-mapping',
      'write-journal',
      'set-prefs',
      'refresh-reachability',
      'poll-account',
      'restore-prefs',
      'delete-mapping',
      'remove-journal',
    ]);
    expect(AlternatePortResult.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it('reports unreachable when the alternate port fails too, and restores automatic mode', async () => {
    const l = await lab({
      reachability: async () => ({ reachable: false, error: 'timed out' }),
      prefs: { ManualPortMappingMode: false },
    });
    const prefsBefore = { ...l.fake.state.prefs };
    const tableBefore = l.igd.mappings();
    const result = await runAlternatePortExperiment(l.options());
    expect(result.outcome).toBe('unreachable');
    expect(result.after).toMatchObject({ mappingState: 'failed', mappingError: 'unreachable' });
    expect(result.restored).toEqual({ prefs: true, mapping: true, errors: [] });
    expect(l.fake.state.prefs.ManualPortMappingMode).toBe('0');
    await expectRestored(l, prefsBefore, tableBefore);
    expect(l.prefPuts()).toEqual([
      { ManualPortMappingMode: '1', ManualPortMappingPort: String(result.externalPort) },
      { ManualPortMappingMode: '0', ManualPortMappingPort: '32400' },
    ]);
    expect(l.refreshCount()).toBe(1);
  });

  it("does not take the old port's failure for a verdict: a state that never changes is inconclusive", async () => {
    // No mapping cycle: the account keeps saying what it said before the change.
    const l = await lab({ account: { mappingState: 'failed', mappingError: 'unreachable' } });
    const prefsBefore = { ...l.fake.state.prefs };
    const tableBefore = l.igd.mappings();
    const result = await runAlternatePortExperiment(l.options({ waitMs: 300, settleMs: 60_000 }));
    expect(result.outcome).toBe('inconclusive');
    expect(result.reason).toMatch(/no mapping state for port \d+ within 300 ms/);
    expect(result.steps.filter((s) => s.name === 'poll-account').length).toBeGreaterThan(1);
    expect(result.restored).toEqual({ prefs: true, mapping: true, errors: [] });
    await expectRestored(l, prefsBefore, tableBefore);
  });

  it('restores everything when aborted while it polls', async () => {
    const l = await lab({ account: { mappingState: 'waiting' } });
    const prefsBefore = { ...l.fake.state.prefs };
    const tableBefore = l.igd.mappings();
    const controller = new AbortController();
    let polls = 0;
    const result = await runAlternatePortExperiment(
      l.options({
        waitMs: 30_000,
        signal: controller.signal,
        onStep: (step) => step.name === 'poll-account' && ++polls === 2 && controller.abort(),
      }),
    );
    expect(result).toMatchObject({
      outcome: 'inconclusive',
      reason: 'aborted',
      aborted: true,
      restored: { prefs: true, mapping: true, errors: [] },
    });
    expect(polls).toBe(2);
    await expectRestored(l, prefsBefore, tableBefore);
  });

  it('restores everything when aborted right after the prefs were set (no re-check is asked for)', async () => {
    const l = await lab({ reachability: ispBlocks32400 });
    const prefsBefore = { ...l.fake.state.prefs };
    const tableBefore = l.igd.mappings();
    const controller = new AbortController();
    const result = await runAlternatePortExperiment(
      l.options({ signal: controller.signal, onStep: (step) => step.name === 'set-prefs' && controller.abort() }),
    );
    expect(result).toMatchObject({
      outcome: 'inconclusive',
      reason: 'aborted',
      aborted: true,
      restored: { prefs: true, mapping: true, errors: [] },
    });
    expect(l.refreshCount()).toBe(0);
    expect(l.prefPuts()).toHaveLength(2);
    await expectRestored(l, prefsBefore, tableBefore);
  });

  it.each([
    [718, 'ConflictInMappingEntry', 3],
    [606, 'Action not authorized', 1],
  ])('is not-run with nothing changed when the router refuses the mapping (%i)', async (code, text, attempts) => {
    const l = await lab({ reachability: ispBlocks32400 }, { failActions: { AddPortMapping: code } });
    const prefsBefore = { ...l.fake.state.prefs };
    const tableBefore = l.igd.mappings();
    const result = await runAlternatePortExperiment(l.options());
    expect(result.outcome).toBe('not-run');
    expect(result.reason).toContain(String(code));
    expect(result.reason).toContain(text);
    expect(result.externalPort).toBeUndefined();
    expect(l.igd.requests.soap.filter((s) => s.action === 'AddPortMapping')).toHaveLength(attempts);
    expect(l.igd.requests.soap.some((s) => s.action === 'DeletePortMapping')).toBe(false);
    expect(l.prefPuts()).toEqual([]);
    expect(l.refreshCount()).toBe(0);
    await expectRestored(l, prefsBefore, tableBefore);
  });

  it('never takes over a port the router already maps', async () => {
    const other: FakeMapping = {
      ...FORWARD_32400,
      externalPort: 45000,
      internalPort: 22,
      internalClient: '192.168.1.30',
      description: 'ssh',
    };
    const l = await lab({ reachability: ispBlocks32400 }, { mappings: [FORWARD_32400, other] });
    const result = await runAlternatePortExperiment(l.options({ externalPort: 45000 }));
    expect(result.outcome).toBe('not-run');
    expect(result.reason).toContain('already mapped to 192.168.1.30:22');
    expect(l.igd.mappings()).toEqual([FORWARD_32400, other]);
    expect(l.prefPuts()).toEqual([]);
  });

  it('retries with a permanent lease when the router takes no other (725), and still deletes the mapping', async () => {
    const l = await lab({ reachability: ispBlocks32400 }, { permanentLeasesOnly: true });
    const tableBefore = l.igd.mappings();
    const result = await runAlternatePortExperiment(l.options({ externalPort: 51234 }));
    expect(result).toMatchObject({
      outcome: 'reachable',
      externalPort: 51234,
      leaseSeconds: 0,
      restored: { mapping: true },
    });
    expect(l.igd.requests.soap.filter((s) => s.action === 'AddPortMapping')).toHaveLength(2);
    expect(l.igd.mappings()).toEqual(tableBefore);
  });

  it('removes the mapping when PMS refuses the pref change', async () => {
    const l = await lab({
      reachability: ispBlocks32400,
      faults: [{ method: 'PUT', path: '/:/prefs', fault: { kind: 'status', status: 500 } }],
    });
    const prefsBefore = { ...l.fake.state.prefs };
    const tableBefore = l.igd.mappings();
    const result = await runAlternatePortExperiment(l.options());
    expect(result.outcome).toBe('not-run');
    expect(result.reason).toMatch(/refused the pref change/);
    expect(l.igd.requests.soap.map((s) => s.action)).toContain('DeletePortMapping');
    // The restore PUT fails too, but the read-back shows the prefs never changed.
    expect(result.restored.prefs).toBe(true);
    expect(result.restored.mapping).toBe(true);
    expect(l.refreshCount()).toBe(0);
    await expectRestored(l, prefsBefore, tableBefore);
  });

  it('keeps a reachable setup when asked: the prefs stay and the mapping becomes permanent', async () => {
    const l = await lab({ reachability: ispBlocks32400 });
    const result = await runAlternatePortExperiment(l.options({ keep: true }));
    expect(result).toMatchObject({ outcome: 'reachable', kept: true });
    const port = result.externalPort!;
    expect(l.fake.state.prefs).toMatchObject({ ManualPortMappingMode: '1', ManualPortMappingPort: String(port) });
    expect(l.igd.mappings()).toContainEqual(
      expect.objectContaining({
        externalPort: port,
        internalClient: SERVER_LAN_IP,
        leaseSeconds: 0,
        description: MAPPING_DESCRIPTION,
      }),
    );
    expect(l.fake.state.account).toMatchObject({ mappingState: 'mapped', publicPort: port });
    await expect(stat(l.journalPath)).rejects.toThrow(/ENOENT/);
  });

  it('restores instead of keeping when the alternate port turns out unreachable', async () => {
    const l = await lab({ reachability: async () => ({ reachable: false }) });
    const prefsBefore = { ...l.fake.state.prefs };
    const tableBefore = l.igd.mappings();
    const result = await runAlternatePortExperiment(l.options({ keep: true }));
    expect(result).toMatchObject({ outcome: 'unreachable', kept: false, restored: { prefs: true, mapping: true } });
    await expectRestored(l, prefsBefore, tableBefore);
  });

  it.each([
    [
      'the prefs cannot be read',
      { faults: [{ method: 'GET', path: '/:/prefs', fault: { kind: 'status' as const, status: 500 } }] },
      /could not be read/,
    ],
    ['remote access is disabled', { prefs: { PublishServerOnPlexOnlineKey: false } }, /remote access is disabled/],
  ])('is not-run with nothing touched when %s', async (_name, pms, reason) => {
    const l = await lab(pms);
    const result = await runAlternatePortExperiment(l.options());
    expect(result.outcome).toBe('not-run');
    expect(result.reason).toMatch(reason);
    expect(l.igd.requests.soap).toEqual([]);
    expect(l.prefPuts()).toEqual([]);
    expect(result.restored).toEqual({ prefs: true, mapping: true, errors: [] });
  });

  it('never throws and never hangs when the router does not answer: not-run, with the maybe-made mapping cleaned up', async () => {
    const l = await lab(
      { reachability: ispBlocks32400 },
      { faults: [{ method: 'POST', fault: { kind: 'hang' }, times: 2 }] },
    );
    const result = await runAlternatePortExperiment(l.options({ igdTimeoutMs: 150, externalPort: 50001 }));
    expect(result.outcome).toBe('not-run');
    expect(result.reason).toMatch(/could not be asked/);
    // The delete (a fresh call after the hung ones) ran and found nothing to delete (714): fine.
    expect(result.restored).toEqual({ prefs: true, mapping: true, errors: [] });
    expect(l.prefPuts()).toEqual([]);
  });
});
