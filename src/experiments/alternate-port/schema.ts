/**
 * Shapes of the alternate-port experiment: its result (stored in a snapshot as the `experiment.alternatePort`
 * observation, so plain JSON with a schema) and its restore journal (what a crashed run left changed).
 */
import { z } from 'zod';
import { RestoreOutcome } from '../../collect/values/alternate-port.js';

export const ALTERNATE_PORT_JOURNAL_VERSION = 1;

/** What to put back after a crashed run: written after the mapping was made and before any pref is changed. */
export const AlternatePortJournal = z.object({
  version: z.literal(ALTERNATE_PORT_JOURNAL_VERSION),
  kind: z.literal('alternate-port'),
  machineIdentifier: z.string().min(1),
  serverUrl: z.string(),
  startedAt: z.string(),
  previousPrefs: z.object({ ManualPortMappingMode: z.boolean(), ManualPortMappingPort: z.number().int() }),
  mapping: z.object({
    controlUrl: z.string(),
    serviceType: z.string(),
    externalPort: z.number().int(),
    internalPort: z.number().int(),
    internalClient: z.string(),
    protocol: z.literal('TCP'),
  }),
});
export type AlternatePortJournal = z.infer<typeof AlternatePortJournal>;

export const PendingRestoreResult = z.object({
  /** A journal was there. */
  found: z.boolean(),
  restored: RestoreOutcome.optional(),
  /** The journal was removed (everything restored). Kept otherwise, for the next try. */
  journalRemoved: z.boolean(),
});
export type PendingRestoreResult = z.infer<typeof PendingRestoreResult>;
