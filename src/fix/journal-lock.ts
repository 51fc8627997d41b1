/**
 * One fix at a time per journal. Two `fix --yes` runs against one server both read the prefs before either wrote
 * them: the second printed "false → true" and then "Applied 0 change(s)", and both rewrote the journal whose
 * `previous` values undo depends on. A lock file beside the journal (created exclusively, holding the owner's pid)
 * serialises read → journal → PUT → read-back; a lock whose process is gone (a crash) is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDir } from '../core/util/private-file.js';
import { FixError } from './errors.js';

export function journalLockPath(journalPath: string): string {
  return `${journalPath}.lock`;
}

/** Runs `work` holding the journal's lock; throws FixError 'busy' while another live process holds it. */
export async function withJournalLock<T>(journalPath: string, work: () => Promise<T>): Promise<T> {
  const lockPath = journalLockPath(journalPath);
  await acquire(lockPath, journalPath, false);
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true }).catch(() => undefined);
  }
}

function unwritable(journalPath: string, error: unknown): FixError {
  const code = (error as { code?: unknown } | null)?.code;
  return new FixError(
    `cannot write the undo journal ${journalPath} (${typeof code === 'string' ? code : String(error)}): nothing was changed; pass --journal with a writable path`,
    { reason: 'journal-unwritable', journalPath, cause: error },
  );
}

async function acquire(lockPath: string, journalPath: string, retried: boolean): Promise<void> {
  // A file where a directory should be makes mkdir answer EEXIST: that must not read as "the lock exists".
  await ensurePrivateDir(dirname(lockPath)).catch((error: unknown) => {
    throw unwritable(journalPath, error);
  });
  try {
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(`${process.pid}\n`, 'utf8');
    } finally {
      await handle.close();
    }
    return;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'EEXIST') throw unwritable(journalPath, error);
  }
  const holder = await lockHolder(lockPath);
  if (retried || (holder !== undefined && isAlive(holder)))
    throw new FixError(
      `another plex-diagnose fix${holder === undefined ? '' : ` (pid ${holder})`} is changing this server right now (lock ${lockPath}): nothing was changed; run again once it has finished`,
      { reason: 'busy', journalPath },
    );
  // The holder is gone (a crash or a kill): its journal, if any, is intact (written atomically); take the lock over.
  await rm(lockPath, { force: true }).catch((error: unknown) => {
    throw unwritable(journalPath, error);
  });
  await acquire(lockPath, journalPath, true);
}

async function lockHolder(lockPath: string): Promise<number | undefined> {
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  // Another applyFix in this very process holds it: that is busy too, not stale.
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM'; // alive, but someone else's
  }
}
