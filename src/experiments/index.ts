// `plex-diagnose/experiments`: opt-in experiments. They change state (a router mapping, PMS prefs), journal what they
// changed before changing it, and always restore it (also on abort, and from the journal after a crash). Every export
// is named here.
export { runAlternatePortExperiment } from './alternate-port/run.js';
export type { AlternatePortOptions } from './alternate-port/run.js';
// alternatePortJournalPath is the CLI's journal location: the CLI restores what a crashed library run left there.
export { restorePendingExperiment, alternatePortJournalPath } from './alternate-port/restore.js';
export type { RestorePendingOptions } from './alternate-port/restore.js';
export { AlternatePortJournal, PendingRestoreResult } from './alternate-port/schema.js';
export {
  AlternatePortResult,
  AlternatePortOutcome,
  AlternatePortStep,
  MappingView,
  RestoreOutcome,
} from '../collect/values/alternate-port.js';
