/**
 * Applying a FixPlan to PMS and undoing it. The journal is written before PMS is touched, all changes go in one
 * `PUT /:/prefs` (PMS applies all or none of them, docs/reference/plex-api.md §4), and both directions verify by
 * reading the prefs back. A plan is only applied to the server it was made for, and a journal only undone on the server
 * it came from.
 *
 * A failed PUT: the prefs are read back; when none of the changes landed (the usual 4xx/5xx), the journal is put back
 * as it was (removed when there was none), so no journal claims changes that never happened. When some did land, or
 * the read-back fails too (a timeout may hide an applied change), the journal stays `pending`: undo restores the
 * previous values, which is right whether or not the PUT took effect.
 */
import { z } from 'zod';
import { isPlexDiagnoseError } from '../core/errors.js';
import type { ServerClient } from '../clients/server/client.js';
import type { ServerPrefs } from '../clients/server/schemas/network-prefs.js';
import type { PrefSetting } from '../clients/server/schemas/prefs.js';
import { FixError } from './errors.js';
import {
  FixJournalChange,
  journalSealValid,
  readFixJournal,
  sealJournal,
  undoneJournalPath,
  writeFixJournal,
  FIX_JOURNAL_VERSION,
  type FixJournal,
} from './journal.js';
import type { FixPlan } from './plan.js';
import { removeFile } from '../core/util/private-file.js';
import { currentPrefValue, FixPrefValue, samePrefValue } from './values.js';
import { FIXABLE_PREFS, isFixablePref } from './fixable.js';
import { withJournalLock } from './journal-lock.js';

export const FixMismatch = z.object({
  pref: z.string(),
  expected: FixPrefValue,
  /** What the server reports now; absent when it no longer lists the pref. */
  actual: FixPrefValue.optional(),
});
export type FixMismatch = z.infer<typeof FixMismatch>;

export const ApplyFixResult = z.object({
  /** What was set, with the value each pref had before (as journalled). */
  applied: z.array(FixJournalChange),
  /** Planned changes left out because the server changed since the plan (already set, pref gone, value unknown). */
  skipped: z.array(z.object({ pref: z.string(), reason: z.string() })),
  /** The read-back shows every applied value. */
  verified: z.boolean(),
  mismatches: z.array(FixMismatch),
  /** Why the read-back could not be done, when it could not. */
  verifyError: z.string().optional(),
  /** The journal written; absent when there was nothing to apply. */
  journalPath: z.string().optional(),
});
export type ApplyFixResult = z.infer<typeof ApplyFixResult>;

export const UndoFixResult = z.object({
  /** The prefs put back, with the values restored (`previous`) and the values they replaced (`applied`). */
  restored: z.array(FixJournalChange),
  verified: z.boolean(),
  mismatches: z.array(FixMismatch),
  verifyError: z.string().optional(),
  /** Prefs whose value had been changed again (by hand?) since the fix; undo restored them all the same. */
  drifted: z.array(z.string()),
  /** Where the undone journal is kept; absent when verification failed and the journal stays for another try. */
  undoneJournalPath: z.string().optional(),
});
export type UndoFixResult = z.infer<typeof UndoFixResult>;

export interface ApplyFixOptions {
  /** The PMS client (with the admin token). Create it without a client-wide signal; pass `signal` here. */
  server: ServerClient;
  /** Where the undo journal goes; see `fixJournalPath`. */
  journalPath: string;
  /** Recorded in the journal to tell the user which server it is about. @default server.baseUrl */
  serverUrl?: string;
  /** Cancels the run; an interrupted PUT leaves a `pending` journal that undo can use. @default undefined */
  signal?: AbortSignal;
  /** Clock for the journal's times. @default () => new Date() */
  now?: () => Date;
  /**
   * Seals the journal (HMAC) so that `undoFix` with the same key restores only what this fix recorded. Pass the
   * owner's token, as the CLI does. @default undefined (an unsealed journal)
   */
  journalKey?: string;
}

export interface UndoFixOptions {
  server: ServerClient;
  /** The journal written by `applyFix`. */
  journalPath: string;
  /**
   * The key `applyFix` sealed the journal with: a journal without that seal (edited by hand or by someone else) is
   * refused. Without it only the pref list is checked. @default undefined
   */
  journalKey?: string;
  /** @default undefined */
  signal?: AbortSignal;
  /** @default () => new Date() */
  now?: () => Date;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs a server call; failures become FixError 'server-refused' (an abort by the caller stays an AbortError). */
async function serverCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isPlexDiagnoseError(error) && error.code === 'PLEXDIAG_ABORTED') throw error;
    throw new FixError(`${what} failed: ${message(error)}`, { reason: 'server-refused', cause: error });
  }
}

function settingsById(prefs: ServerPrefs): Map<string, PrefSetting> {
  return new Map(prefs.settings.map((setting) => [setting.id, setting]));
}

/** The changes whose read-back value is not the expected one. */
function mismatchesOf(prefs: ServerPrefs, expected: readonly { pref: string; value: FixPrefValue }[]): FixMismatch[] {
  const byId = settingsById(prefs);
  const out: FixMismatch[] = [];
  for (const { pref, value } of expected) {
    const setting = byId.get(pref);
    const actual = setting && currentPrefValue(setting);
    if (!setting || !samePrefValue(setting.type, actual, value))
      out.push({ pref, expected: value, ...(actual === undefined ? {} : { actual }) });
  }
  return out;
}

async function verify(
  server: ServerClient,
  expected: { pref: string; value: FixPrefValue }[],
  signal: AbortSignal | undefined,
) {
  try {
    const mismatches = mismatchesOf(await server.prefs({ signal }), expected);
    return { verified: mismatches.length === 0, mismatches };
  } catch (error) {
    return { verified: false, mismatches: [], verifyError: message(error) };
  }
}

async function checkServer(
  server: ServerClient,
  expected: string | undefined,
  what: string,
  journalPath: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  const identity = await serverCall('reading the server identity', () => server.identity({ signal }));
  if (expected !== undefined && identity.machineIdentifier !== expected) {
    throw new FixError(
      `${what} is for server ${expected}, but ${server.baseUrl} is ${identity.machineIdentifier}: refusing to change another server`,
      {
        reason: 'other-server',
        journalPath,
      },
    );
  }
  return identity.machineIdentifier;
}

/**
 * Applies a plan: identity check, journal first, one PUT, read-back, holding the journal's lock (one fix at a time per
 * journal). Throws FixError (see FixErrorReason).
 */
export function applyFix(plan: FixPlan, options: ApplyFixOptions): Promise<ApplyFixResult> {
  return withJournalLock(options.journalPath, () => applyLocked(plan, options));
}

async function applyLocked(plan: FixPlan, options: ApplyFixOptions): Promise<ApplyFixResult> {
  const { server, journalPath, signal } = options;
  const now = options.now ?? (() => new Date());
  const machineIdentifier = await checkServer(server, plan.machineIdentifier, 'the fix plan', journalPath, signal);
  const byId = settingsById(await serverCall('reading the server prefs', () => server.prefs({ signal })));
  const changes: FixJournalChange[] = [];
  const skipped: ApplyFixResult['skipped'] = [];
  for (const change of plan.changes) {
    const setting = byId.get(change.pref);
    const previous = setting && currentPrefValue(setting);
    if (!isFixablePref(change.pref))
      skipped.push({
        pref: change.pref,
        reason: 'plex-diagnose does not change this pref (undo could not restore it)',
      });
    else if (!setting) skipped.push({ pref: change.pref, reason: 'the server no longer lists this pref' });
    else if (previous === undefined)
      skipped.push({
        pref: change.pref,
        reason: 'the server shows no current value, so the change could not be undone',
      });
    else if (samePrefValue(setting.type, previous, change.to))
      skipped.push({ pref: change.pref, reason: `already ${JSON.stringify(previous)}` });
    else changes.push({ pref: change.pref, previous, applied: change.to });
  }
  if (changes.length === 0) return { applied: [], skipped, verified: true, mismatches: [] };

  // An earlier fix not yet undone: keep its `previous` values, so undo returns to the state before plex-diagnose.
  const existing = await readFixJournal(journalPath);
  if (existing && existing.machineIdentifier !== machineIdentifier) {
    throw new FixError(
      `the undo journal ${journalPath} belongs to server ${existing.machineIdentifier}, not ${machineIdentifier}`,
      { reason: 'other-server', journalPath },
    );
  }
  const earlier = existing?.state === 'undone' ? [] : (existing?.changes ?? []);
  const merged = [
    ...earlier.filter((old) => !changes.some((c) => c.pref === old.pref)),
    ...changes.map((c) => ({ ...c, previous: earlier.find((old) => old.pref === c.pref)?.previous ?? c.previous })),
  ];
  const journal: FixJournal = {
    version: FIX_JOURNAL_VERSION,
    machineIdentifier,
    serverUrl: options.serverUrl ?? server.baseUrl,
    appliedAt: existing && existing.state !== 'undone' ? existing.appliedAt : now().toISOString(),
    changes: merged,
    state: 'pending',
    ...(options.journalKey ? { seal: sealJournal({ machineIdentifier, changes: merged }, options.journalKey) } : {}),
  };
  try {
    await writeFixJournal(journalPath, journal);
  } catch (error) {
    // A read-only or full disk, a file where a directory should be: nothing was changed yet, so say so and stop.
    const code = (error as { code?: unknown } | null)?.code;
    throw new FixError(
      `cannot write the undo journal ${journalPath} (${typeof code === 'string' ? code : message(error)}): nothing was changed; pass --journal with a writable path`,
      { reason: 'journal-unwritable', journalPath, cause: error },
    );
  }

  const values = Object.fromEntries(changes.map((c) => [c.pref, c.applied]));
  try {
    await server.setPrefs(values, { signal });
  } catch (error) {
    if (isPlexDiagnoseError(error) && error.code === 'PLEXDIAG_ABORTED') throw error; // the pending journal stays
    await rollBackJournal(server, journalPath, existing, changes);
    throw new FixError(`the server refused the pref changes: ${message(error)}`, {
      reason: 'server-refused',
      journalPath,
      cause: error,
    });
  }
  // The pending journal is on disk already and undo treats it alike: a failure to mark it applied loses nothing.
  await writeFixJournal(journalPath, { ...journal, state: 'applied' }).catch(() => undefined);
  const check = await verify(
    server,
    changes.map((c) => ({ pref: c.pref, value: c.applied })),
    signal,
  );
  return { applied: changes, skipped, ...check, journalPath };
}

/** After a failed PUT: when the read-back shows none of the changes, the journal goes back to what it was. */
async function rollBackJournal(
  server: ServerClient,
  journalPath: string,
  existing: FixJournal | undefined,
  changes: FixJournalChange[],
): Promise<void> {
  // A fresh deadline: the caller's signal may be what failed the PUT.
  const check = await verify(
    server,
    changes.map((c) => ({ pref: c.pref, value: c.previous })),
    AbortSignal.timeout(10_000),
  );
  if (!check.verified) return;
  try {
    if (existing) await writeFixJournal(journalPath, existing);
    else await removeFile(journalPath);
  } catch {
    // The pending journal stays: undo from it is harmless (it restores values the server already has).
  }
}

/**
 * A journal is a file: whoever can write it could make undo "restore" any pref to any value (PlexOnlineToken,
 * allowedNetworks=0.0.0.0/0). Undo writes only prefs `fix` changes, and with a key only a journal sealed with it.
 */
function checkTrusted(journal: FixJournal, journalPath: string, key: string | undefined): void {
  const foreign = [...new Set(journal.changes.map((c) => c.pref).filter((pref) => !isFixablePref(pref)))];
  const named = (prefs: string[]): string =>
    prefs.map((pref) => (/^[\w.-]{1,64}$/.test(pref) ? pref : '(an unprintable name)')).join(', ');
  if (foreign.length)
    throw new FixError(
      `refusing the undo journal ${journalPath}: it names ${named(foreign)}, which plex-diagnose never changes (it only changes ${[...FIXABLE_PREFS].join(', ')}); was it edited? Restore by hand`,
      { reason: 'untrusted-journal', journalPath },
    );
  if (key !== undefined && !journalSealValid(journal, key))
    throw new FixError(
      `refusing the undo journal ${journalPath}: ${journal.seal ? 'its seal does not match (edited, or written with another token)' : 'it is not sealed by plex-diagnose for this token'}; nothing was changed. Restore by hand if you trust it`,
      { reason: 'untrusted-journal', journalPath },
    );
}

/** Restores every journalled pref in one PUT, verifies, then keeps the journal as `*.undone.json`. */
export async function undoFix(options: UndoFixOptions): Promise<UndoFixResult> {
  const journal = await readFixJournal(options.journalPath);
  // Nothing to undo: undoLocked says so without creating a lock (or its directory) for a journal that is not there.
  if (!journal || journal.state === 'undone') return undoLocked(options);
  return withJournalLock(options.journalPath, () => undoLocked(options));
}

async function undoLocked(options: UndoFixOptions): Promise<UndoFixResult> {
  const { server, journalPath, signal } = options;
  const now = options.now ?? (() => new Date());
  const journal = await readFixJournal(journalPath);
  if (!journal || journal.state === 'undone') {
    const undone = journal ? journal : await readFixJournal(undoneJournalPath(journalPath)).catch(() => undefined);
    if (undone)
      throw new FixError(`nothing to undo: the last fix on ${undone.serverUrl} was already undone`, {
        reason: 'nothing-to-undo',
        journalPath,
      });
    throw new FixError(`nothing to undo: there is no undo journal at ${journalPath}`, {
      reason: 'no-journal',
      journalPath,
    });
  }
  checkTrusted(journal, journalPath, options.journalKey);
  await checkServer(server, journal.machineIdentifier, `the undo journal ${journalPath}`, journalPath, signal);
  const before = await serverCall('reading the server prefs', () => server.prefs({ signal }));
  const drifted = mismatchesOf(
    before,
    journal.changes.map((c) => ({ pref: c.pref, value: c.applied })),
  ).map((m) => m.pref);
  const values = Object.fromEntries(journal.changes.map((c) => [c.pref, c.previous]));
  await serverCall('restoring the prefs', () => server.setPrefs(values, { signal }));
  const check = await verify(
    server,
    journal.changes.map((c) => ({ pref: c.pref, value: c.previous })),
    signal,
  );
  if (!check.verified) return { restored: journal.changes, drifted, ...check };
  const undonePath = undoneJournalPath(journalPath);
  await writeFixJournal(undonePath, { ...journal, state: 'undone', undoneAt: now().toISOString() });
  await removeFile(journalPath);
  return { restored: journal.changes, drifted, ...check, undoneJournalPath: undonePath };
}
