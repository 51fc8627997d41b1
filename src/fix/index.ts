// `fix`: a report's machine-applicable actions → exact PMS pref changes (dry run), applied with an undo journal.
export { planFix, FixPlan, FixChange, FixSkipped, FixSkipKind } from './plan.js';
export { applyFix, undoFix, ApplyFixResult, UndoFixResult, FixMismatch } from './apply.js';
export type { ApplyFixOptions, UndoFixOptions } from './apply.js';
export {
  FixJournal,
  FixJournalChange,
  FixJournalState,
  FIX_JOURNAL_VERSION,
  fixJournalPath,
  undoneJournalPath,
  readFixJournal,
  sealJournal,
  journalSealValid,
} from './journal.js';
export { FIXABLE_PREFS, isFixablePref } from './fixable.js';
export { FixError, isFixError } from './errors.js';
export type { FixErrorReason } from './errors.js';
export { FixPrefValue, samePrefValue } from './values.js';
