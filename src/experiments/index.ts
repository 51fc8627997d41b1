// Opt-in experiments: they change state (router mapping, PMS prefs) and always restore it.
export { runAlternatePortExperiment, MAPPING_DESCRIPTION, MAPPING_LEASE_SECONDS } from './alternate-port/run.js';
export type { AlternatePortOptions } from './alternate-port/run.js';
export {
  restorePendingExperiment,
  alternatePortJournalPath,
  DEFAULT_RESTORE_TIMEOUT_MS,
} from './alternate-port/restore.js';
export type { RestorePendingOptions } from './alternate-port/restore.js';
export { ALTERNATE_PORT_RANGE, decideOutcome } from './alternate-port/steps.js';
export { AlternatePortJournal, PendingRestoreResult } from './alternate-port/schema.js';
export {
  AlternatePortResult,
  AlternatePortOutcome,
  AlternatePortStep,
  MappingView,
  RestoreOutcome,
  ALTERNATE_PORT_OUTCOMES,
} from '../collect/values/alternate-port.js';
