/** A run that died midway leaves a journal; the next run restores from it with restorePendingExperiment. */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { restorePendingExperiment } from '../../../src/experiments/alternate-port/restore.js';
import { AlternatePortJournal } from '../../../src/experiments/alternate-port/schema.js';
import { MAPPING_DESCRIPTION, runAlternatePortExperiment } from '../../../src/experiments/alternate-port/run.js';
import { writePrivateFile } from '../../../src/core/util/private-file.js';
import { FORWARD_32400, ispBlocks32400, SERVER_LAN_IP, startLab, TOKEN, type Lab } from './helpers.js';

const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
});

/**
 * Leaves the lab as a run killed right after it set the prefs would: the journal the real run wrote, PMS pointed
 * at the alternate port, and the mapping on the router.
 */
async function crashedRun(l: Lab): Promise<{ journal: AlternatePortJournal; prefsBefore: Record<string, string> }> {
  const prefsBefore = { ...l.fake.state.prefs };
  let journalText = '';
  const result = await runAlternatePortExperiment(
    l.options({ onStep: (step) => step.name === 'set-prefs' && (journalText = readFileSync(l.journalPath, 'utf8')) }),
  );
  const journal = AlternatePortJournal.parse(JSON.parse(journalText));
  const port = result.externalPort!;
  await writePrivateFile(l.journalPath, journalText);
  Object.assign(l.fake.state.prefs, { ManualPortMappingMode: '1', ManualPortMappingPort: String(port) });
  l.igd.state.mappings.push({
    ...FORWARD_32400,
    externalPort: port,
    description: MAPPING_DESCRIPTION,
    leaseSeconds: 3600,
  });
  return { journal, prefsBefore };
}

async function lab(...args: Parameters<typeof startLab>): Promise<Lab> {
  const started = await startLab(...args);
  labs.push(started);
  return started;
}

describe('restorePendingExperiment', () => {
  it('restores the prefs and deletes the mapping a crashed run left, then removes the journal', async () => {
    const l = await lab({ reachability: ispBlocks32400, prefs: { ManualPortMappingMode: false } });
    const { journal, prefsBefore } = await crashedRun(l);
    expect(l.igd.mappings()).toHaveLength(2);

    const result = await restorePendingExperiment({ server: l.server, journalPath: l.journalPath, timeoutMs: 2000 });

    expect(result).toEqual({ found: true, restored: { prefs: true, mapping: true, errors: [] }, journalRemoved: true });
    expect(l.fake.state.prefs).toEqual(prefsBefore);
    expect(l.fake.state.prefs.ManualPortMappingMode).toBe('0');
    expect(l.igd.mappings()).toEqual([FORWARD_32400]);
    expect(journal.mapping.internalClient).toBe(SERVER_LAN_IP);
    await expect(stat(l.journalPath)).rejects.toThrow(/ENOENT/);
    expect(await restorePendingExperiment({ server: l.server, journalPath: l.journalPath })).toEqual({
      found: false,
      journalRemoved: false,
    });
  });

  it('blocks a new run while a journal is pending, and the run works once it is restored', async () => {
    const l = await lab({ reachability: ispBlocks32400 });
    await crashedRun(l);
    const putsBefore = l.prefPuts().length;
    const blocked = await runAlternatePortExperiment(l.options());
    expect(blocked.outcome).toBe('not-run');
    expect(blocked.reason).toMatch(/pending/);
    expect(l.prefPuts()).toHaveLength(putsBefore);
    expect(await stat(l.journalPath)).toBeTruthy();

    await restorePendingExperiment({ server: l.server, journalPath: l.journalPath });
    expect((await runAlternatePortExperiment(l.options())).outcome).toBe('reachable');
  });

  it("uses a re-discovered control URL when the journal's one is gone", async () => {
    const l = await lab({ reachability: ispBlocks32400 });
    await crashedRun(l);
    const journal = AlternatePortJournal.parse(JSON.parse(await readFile(l.journalPath, 'utf8')));
    await writePrivateFile(
      l.journalPath,
      JSON.stringify({ ...journal, mapping: { ...journal.mapping, controlUrl: 'http://127.0.0.1:9/ctl/IPConn' } }),
    );
    const result = await restorePendingExperiment({
      server: l.server,
      journalPath: l.journalPath,
      igd: { controlUrl: l.igd.controlUrl, serviceType: l.igd.serviceType },
    });
    expect(result.restored).toEqual({ prefs: true, mapping: true, errors: [] });
    expect(l.igd.mappings()).toEqual([FORWARD_32400]);
  });

  it('leaves the prefs of another server alone, deletes the mapping, and keeps the journal', async () => {
    const l = await lab({ reachability: ispBlocks32400 });
    await crashedRun(l);
    const other = await lab({ reachability: ispBlocks32400 });
    const otherPrefs = { ...other.fake.state.prefs };
    const journal = AlternatePortJournal.parse(JSON.parse(await readFile(l.journalPath, 'utf8')));

    const result = await restorePendingExperiment({
      server: other.server,
      journalPath: l.journalPath,
      igd: { controlUrl: l.igd.controlUrl, serviceType: l.igd.serviceType },
    });

    expect(result.found).toBe(true);
    expect(result.journalRemoved).toBe(false);
    expect(result.restored?.prefs).toBe(false);
    expect(result.restored?.mapping).toBe(true);
    expect(result.restored?.errors.join(' ')).toContain(journal.machineIdentifier);
    expect(other.fake.state.prefs).toEqual(otherPrefs);
    expect(other.prefPuts()).toEqual([]);
    expect(await readFile(l.journalPath, 'utf8')).toContain(journal.machineIdentifier);
  });

  it('does not undo a port the user has set since the crash', async () => {
    const l = await lab({ reachability: ispBlocks32400 });
    await crashedRun(l);
    l.fake.state.prefs.ManualPortMappingPort = '443';
    const putsBefore = l.prefPuts().length;
    const result = await restorePendingExperiment({ server: l.server, journalPath: l.journalPath });
    expect(result).toMatchObject({ restored: { prefs: true, mapping: true }, journalRemoved: true });
    expect(l.fake.state.prefs.ManualPortMappingPort).toBe('443');
    expect(l.prefPuts()).toHaveLength(putsBefore);
  });

  it('reports a malformed journal without echoing it and without touching anything', async () => {
    const l = await lab();
    await writePrivateFile(l.journalPath, `{"kind":"alternate-port","token":"${TOKEN}"`);
    const result = await restorePendingExperiment({ server: l.server, journalPath: l.journalPath });
    expect(result.found).toBe(true);
    expect(result.journalRemoved).toBe(false);
    expect(result.restored?.errors[0]).toMatch(/not valid/);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(l.igd.requests.soap).toEqual([]);
    expect(l.prefPuts()).toEqual([]);
    expect((await stat(l.journalPath)).isFile()).toBe(true);
  });
});
