/**
 * The phone check's mapping journal: written BEFORE the router is asked for a mapping, removed once the mapping is
 * gone. One file per run (`outside-check-<pid>.json` in the config directory), so two runs never clean up each other's
 * live mapping; a journal whose process is gone is what a crash (or a kill -9) left, and the next run removes its
 * mapping first. The mapping also has a lease, so a router drops it by itself if nobody comes back.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readPrivateFile, removeFile, writePrivateFile } from '../../core/util/private-file.js';

export const PHONE_JOURNAL_VERSION = 1;
export const MAPPING_DESCRIPTION = 'plex-diagnose outside-check';

const Port = z.number().int().min(1).max(65535);

export const PhoneMappingRecord = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('upnp'),
    controlUrl: z.string().url(),
    serviceType: z.string().min(1),
    externalPort: Port,
    internalPort: Port,
    internalClient: z.string().min(1),
  }),
  z.object({
    method: z.literal('natpmp'),
    /** Absent: the default gateway at the time of the cleanup. */
    gateway: z.string().optional(),
    port: Port.optional(),
    internalPort: Port,
  }),
]);
export type PhoneMappingRecord = z.infer<typeof PhoneMappingRecord>;

export const PhoneJournal = z.object({
  version: z.literal(PHONE_JOURNAL_VERSION),
  kind: z.literal('outside-check'),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  mapping: PhoneMappingRecord,
});
export type PhoneJournal = z.infer<typeof PhoneJournal>;

const FILE = /^outside-check-(\d{1,10})\.json$/;

export function phoneJournalPath(dir: string, pid: number = process.pid): string {
  return join(dir, `outside-check-${pid}.json`);
}

export async function writePhoneJournal(path: string, journal: PhoneJournal): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(PhoneJournal.parse(journal), null, 2)}\n`);
}

export { removeFile as removePhoneJournal };

/** Whether a process with this id still runs (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type StaleJournal =
  { path: string; status: 'ok'; journal: PhoneJournal } | { path: string; status: 'invalid'; reason: string };

/** Journals left by runs that are no longer alive (this process's own is never stale). */
export async function findStaleJournals(dir: string, alive = processAlive): Promise<StaleJournal[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale: StaleJournal[] = [];
  for (const name of names.sort()) {
    const pid = Number(FILE.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    const path = join(dir, name);
    const read = await readPrivateFile(path);
    if (read.status === 'missing') continue;
    if (read.status === 'unreadable') {
      stale.push({ path, status: 'invalid', reason: `unreadable (${read.causeCode})` });
      continue;
    }
    try {
      stale.push({ path, status: 'ok', journal: PhoneJournal.parse(JSON.parse(read.text)) });
    } catch {
      stale.push({ path, status: 'invalid', reason: 'not a valid outside-check journal' });
    }
  }
  return stale;
}
