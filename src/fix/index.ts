// `plex-diagnose/fix`: a report's machine-applicable actions → the exact PMS pref changes (a dry-run plan), applied
// with an undo journal and verified by reading the prefs back. Every export is named here.
export { planFix, FixPlan, FixChange, FixSkipped, FixSkipKind } from './plan.js';
export { applyFix, undoFix, ApplyFixResult, UndoFixResult, FixMismatch } from './apply.js';
export type { ApplyFixOptions, UndoFixOptions } from './apply.js';
// fixJournalPath is the CLI's journal location: a tool that uses it shares undo with `plex-diagnose fix --undo`.
export {
  FixJournal,
  FixJournalChange,
  FixJournalState,
  fixJournalPath,
  readFixJournal,
  sealJournal,
  journalSealValid,
} from './journal.js';
// What `fix` may change, and so the only prefs an undo journal may restore.
export { FIXABLE_PREFS, isFixablePref } from './fixable.js';
export { FixError, isFixError } from './errors.js';
export type { FixErrorReason } from './errors.js';
export { FixPrefValue } from './values.js';
