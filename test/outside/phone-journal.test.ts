/**
 * The phone check's crash recovery against the fake IGD on loopback: a journal left by a run whose process is gone is
 * replayed at the next start: its mapping is deleted only while the router still shows it as ours, the journal then
 * removed; a live run's journal, an unreachable router and a garbled journal leave the file for later.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startFakeIgd } from '../../src/testing/fake-igd/index.js';
import { cleanupStaleMappings, phoneJournalPath, runOutsideCheck } from '../../src/outside/phone/index.js';
import { MAPPING_DESCRIPTION } from '../../src/outside/phone/journal.js';
import { deadPid, useDirAndIgd } from './phone-support.js';

const setup = useDirAndIgd('pd-phone-journal-');

describe('crash recovery from the journal', () => {
  const ours = (externalPort: number) => ({
    remoteHost: '',
    externalPort,
    protocol: 'TCP' as const,
    internalPort: 41000,
    internalClient: '127.0.0.1',
    enabled: true,
    description: MAPPING_DESCRIPTION,
    leaseSeconds: 600,
  });
  const journal = (pid: number, externalPort: number) =>
    JSON.stringify({
      version: 1,
      kind: 'outside-check',
      pid,
      startedAt: new Date().toISOString(),
      mapping: {
        method: 'upnp',
        controlUrl: setup.igd.controlUrl,
        serviceType: setup.igd.serviceType,
        externalPort,
        internalPort: 41000,
        internalClient: '127.0.0.1',
      },
    });

  it("a dead run's mapping is removed at the next start and its journal deleted; a live run's is left alone", async () => {
    await setup.igd.close();
    setup.igd = await startFakeIgd({ externalIp: '84.1.1.2', mappings: [ours(47001), ours(47002)] });
    const dead = deadPid();
    await writeFile(phoneJournalPath(setup.dir, dead), journal(dead, 47001), { mode: 0o600 });
    // process.ppid runs for sure (the test runner): its journal is a live run's.
    await writeFile(phoneJournalPath(setup.dir, process.ppid), journal(process.ppid, 47002), { mode: 0o600 });
    const entries = await cleanupStaleMappings(setup.dir, { timeoutMs: 2000 });
    expect(entries).toEqual([
      expect.objectContaining({ removed: true, detail: expect.stringContaining('external port 47001 removed') }),
    ]);
    expect(setup.igd.mappings().map((m) => m.externalPort)).toEqual([47002]);
    expect((await readdir(setup.dir)).sort()).toEqual([`outside-check-${process.ppid}.json`]);
  });

  it('a port that now maps elsewhere is not deleted (not ours any more); the journal goes', async () => {
    await setup.igd.close();
    setup.igd = await startFakeIgd({
      externalIp: '84.1.1.2',
      mappings: [{ ...ours(47003), internalClient: '127.0.0.5', description: 'game console' }],
    });
    const dead = deadPid();
    await writeFile(phoneJournalPath(setup.dir, dead), journal(dead, 47003), { mode: 0o600 });
    const entries = await cleanupStaleMappings(setup.dir, { timeoutMs: 2000 });
    expect(entries[0]).toMatchObject({ removed: true, detail: expect.stringContaining('not ours') });
    expect(setup.igd.mappings()).toHaveLength(1);
    expect(await readdir(setup.dir)).toEqual([]);
  });

  it('an unreachable router keeps the journal for the next try; a garbled journal is reported, not trusted', async () => {
    const dead = deadPid();
    const text = journal(dead, 47004);
    await setup.igd.close();
    await writeFile(phoneJournalPath(setup.dir, dead), text, { mode: 0o600 });
    await writeFile(phoneJournalPath(setup.dir, dead + 1 === process.pid ? dead + 2 : dead + 1), '{"version":1,', {
      mode: 0o600,
    });
    const entries = await cleanupStaleMappings(setup.dir, { timeoutMs: 1000, alive: () => false });
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => !entry.removed)).toBe(true);
    expect(entries.map((e) => e.detail).join('\n')).toMatch(/not a valid outside-check journal/);
    expect(await readdir(setup.dir)).toHaveLength(2);
    setup.igd = await startFakeIgd({ externalIp: '84.1.1.2' });
  });

  it('runOutsideCheck cleans up first, then runs', async () => {
    await setup.igd.close();
    setup.igd = await startFakeIgd({ externalIp: '84.1.1.2', mappings: [ours(47005)] });
    const dead = deadPid();
    await writeFile(phoneJournalPath(setup.dir, dead), journal(dead, 47005), { mode: 0o600 });
    const notes: string[] = [];
    const controller = new AbortController();
    let during: number[] = [];
    const result = await runOutsideCheck({
      listenHost: '127.0.0.1',
      map: 'upnp',
      upnp: { location: setup.igd.location },
      journalDir: setup.dir,
      timeoutMs: 20_000,
      routerTimeoutMs: 2000,
      signal: controller.signal,
      onNote: (line) => notes.push(line),
      onReady: () => {
        during = setup.igd.mappings().map((m) => m.externalPort);
        controller.abort();
      },
    });
    expect(during).toHaveLength(1);
    expect(during).not.toContain(47005);
    expect(result.cleanup).toEqual([expect.objectContaining({ removed: true })]);
    expect(notes[0]).toMatch(/an earlier run's mapping: UPnP mapping of external port 47005 removed/);
  });
});
