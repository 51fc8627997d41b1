/**
 * The undo journal of `fix`: what each changed pref was before, written (atomic, 0600) before PMS is touched, so an
 * interrupted or regretted fix can always be undone. One journal per server, in the config directory.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { configDir, type ConfigLocationOptions } from '../this-host/config-file.js';
import { readPrivateFile, writePrivateFile } from '../core/util/private-file.js';
import { FixError } from './errors.js';
import { FixPrefValue } from './values.js';

export const FIX_JOURNAL_VERSION = 1;

export const FixJournalChange = z.object({
  pref: z.string().min(1),
  /** The value before plex-diagnose changed it: what undo restores. */
  previous: FixPrefValue,
  /** The value set. */
  applied: FixPrefValue,
});
export type FixJournalChange = z.infer<typeof FixJournalChange>;

/**
 * pending: written, the PUT not (yet) confirmed: the changes may or may not be on the server (a crash, a lost
 * answer); undo is safe either way, it restores `previous`. applied: PMS accepted the changes. undone: restored
 * (only ever seen in the renamed `*.undone.json`).
 */
export const FixJournalState = z.enum(['pending', 'applied', 'undone']);
export type FixJournalState = z.infer<typeof FixJournalState>;

export const FixJournal = z.object({
  version: z.literal(FIX_JOURNAL_VERSION),
  machineIdentifier: z.string().min(1),
  serverUrl: z.string(),
  /** ISO time of the (first) fix recorded here. */
  appliedAt: z.string(),
  changes: z.array(FixJournalChange).min(1),
  state: FixJournalState,
  /** ISO time of the undo. */
  undoneAt: z.string().optional(),
  /**
   * HMAC-SHA256 (hex) of the server and the changes, keyed with the owner's token (`journalKey`): undo with the key
   * restores only values a fix recorded for that server, not values someone wrote into the file. Absent in journals
   * written without a key.
   */
  seal: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type FixJournal = z.infer<typeof FixJournal>;

/** A machineIdentifier made safe as part of a file name (real ones are 40 hex characters and pass unchanged). */
function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128) || 'unknown';
}

/** `<config dir>/undo-<machineIdentifier>.json`: the default journal path for a server. */
export function fixJournalPath(machineIdentifier: string, location: ConfigLocationOptions = {}): string {
  return join(configDir(location), `undo-${fileSafe(machineIdentifier)}.json`);
}

/** Where an undone journal is kept: `undo-x.json` → `undo-x.undone.json`. */
export function undoneJournalPath(journalPath: string): string {
  return journalPath.endsWith('.json')
    ? `${journalPath.slice(0, -'.json'.length)}.undone.json`
    : `${journalPath}.undone.json`;
}

/** Reads and validates a journal; `undefined` when there is none. Anything unusable is a FixError, never its content. */
export async function readFixJournal(journalPath: string): Promise<FixJournal | undefined> {
  const read = await readPrivateFile(journalPath);
  if (read.status === 'missing') return undefined;
  if (read.status === 'unreadable') {
    throw new FixError(`cannot read the undo journal ${journalPath} (${read.causeCode})`, {
      reason: 'malformed-journal',
      journalPath,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(read.text);
  } catch {
    throw new FixError(`the undo journal ${journalPath} is not valid JSON; restore the prefs by hand and delete it`, {
      reason: 'malformed-journal',
      journalPath,
    });
  }
  const parsed = FixJournal.safeParse(data);
  if (!parsed.success) {
    // zod messages name the expected type, never the value.
    const where = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new FixError(`the undo journal ${journalPath} is not a plex-diagnose journal (${where})`, {
      reason: 'malformed-journal',
      journalPath,
    });
  }
  return parsed.data;
}

function sealOf(journal: Pick<FixJournal, 'machineIdentifier' | 'changes'>, key: string): Buffer {
  const content = JSON.stringify([
    FIX_JOURNAL_VERSION,
    journal.machineIdentifier,
    journal.changes.map((c) => [c.pref, c.previous, c.applied]),
  ]);
  return createHmac('sha256', key).update(content).digest();
}

/** The seal of a journal's server and changes under `key` (the owner's token): a MAC, it reveals nothing of the key. */
export function sealJournal(journal: Pick<FixJournal, 'machineIdentifier' | 'changes'>, key: string): string {
  return sealOf(journal, key).toString('hex');
}

/** Whether the journal carries a seal made with `key` over exactly its server and changes. */
export function journalSealValid(journal: FixJournal, key: string): boolean {
  if (!journal.seal) return false;
  const expected = sealOf(journal, key);
  const given = Buffer.from(journal.seal, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Validates and writes a journal atomically with mode 0600 (directory 0700). */
export async function writeFixJournal(journalPath: string, journal: FixJournal): Promise<void> {
  await writePrivateFile(journalPath, `${JSON.stringify(FixJournal.parse(journal), null, 2)}\n`);
}
