/** At start: remove the mappings that crashed (or killed) runs left, from their journals. Never throws. */
import { removeMapping, type RouterCallOptions } from './mapping.js';
import { findStaleJournals, removePhoneJournal } from './journal.js';

export interface CleanupEntry {
  journal: string;
  removed: boolean;
  detail: string;
}

export async function cleanupStaleMappings(
  dir: string,
  options: RouterCallOptions & { alive?: (pid: number) => boolean } = {},
): Promise<CleanupEntry[]> {
  const entries: CleanupEntry[] = [];
  for (const stale of await findStaleJournals(dir, options.alive)) {
    if (stale.status === 'invalid') {
      entries.push({
        journal: stale.path,
        removed: false,
        detail: `${stale.reason}: check the router's port mappings by hand, then delete the file`,
      });
      continue;
    }
    const removal = await removeMapping(stale.journal.mapping, options);
    if (removal.removed) {
      try {
        await removePhoneJournal(stale.path);
      } catch (error) {
        entries.push({
          journal: stale.path,
          removed: true,
          detail: `${removal.detail}; the journal could not be removed (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        });
        continue;
      }
    }
    entries.push({ journal: stale.path, ...removal });
  }
  return entries;
}
