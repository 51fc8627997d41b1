// Opt-in experiments: they change state (router mapping, PMS prefs) and always restore it.
export { runAlternatePortExperiment, MAPPING_DESCRIPTION, MAPPING_LEASE_SECONDS } from './alternate-port.js';
export type { AlternatePortOptions } from './alternate-port.js';
export { restorePendingExperiment, alternatePortJournalPath, DEFAULT_RESTORE_TIMEOUT_MS } from './alternate-port-restore.js';
export type { RestorePendingOptions } from './alternate-port-restore.js';
export { ALTERNATE_PORT_RANGE, decideOutcome } from './alternate-port-steps.js';
export {
  AlternatePortResult,
  AlternatePortOutcome,
  AlternatePortStep,
  AlternatePortJournal,
  MappingView,
  RestoreOutcome,
  PendingRestoreResult,
  ALTERNATE_PORT_OUTCOMES,
} from './alternate-port-schema.js';
