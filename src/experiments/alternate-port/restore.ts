/**
 * Putting back what the alternate-port experiment changed: the ManualPortMapping prefs and the router mapping. Used
 * at the end of every run (also an aborted one) and, through the journal, at the start of the run after a crash.
 *
 * Restoration never uses the run's signal (it may be the reason we are restoring): each side gets its own fresh
 * deadline, and the two run side by side so a hung PMS cannot use up the time the router needs, or the reverse.
 */
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { configDir, type ConfigLocationOptions } from '../../this-host/config-file.js';
import { readPrivateFile, removeFile, writePrivateFile } from '../../core/util/private-file.js';
import { createIgdClient, describeUpnpError } from '../../probes/upnp/client.js';
import type { ServerClient } from '../../clients/server/client.js';
import { AlternatePortJournal, type PendingRestoreResult } from './schema.js';
import { type RestoreOutcome } from '../../collect/values/alternate-port.js';

export const DEFAULT_RESTORE_TIMEOUT_MS = 15_000;
/** UPnP 714 NoSuchEntryInArray: the mapping is already gone (its lease ran out, or the router rebooted). */
const NO_SUCH_ENTRY = 714;

export interface PrefsToRestore {
  ManualPortMappingMode: boolean;
  ManualPortMappingPort: number;
}

export interface MappingToDelete {
  controlUrl: string;
  serviceType: string;
  externalPort: number;
}

/** `<config dir>/alternate-port-journal.json`: one per installation; it names the server it belongs to. */
export function alternatePortJournalPath(location: ConfigLocationOptions = {}): string {
  return join(configDir(location), 'alternate-port-journal.json');
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Sets the prefs back and reads them back; true only when the server shows the previous values. */
export async function restorePrefs(
  server: ServerClient,
  previous: PrefsToRestore,
  timeoutMs: number,
  errors: string[],
): Promise<boolean> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await server.setPrefs({ ...previous }, { signal });
  } catch (error) {
    errors.push(`setting ManualPortMappingMode/ManualPortMappingPort back failed: ${message(error)}`);
  }
  // Read back even after a failed PUT: when the change never landed, the prefs are as they were.
  try {
    const { network } = await server.prefs({ signal });
    if (
      network.ManualPortMappingMode === previous.ManualPortMappingMode &&
      network.ManualPortMappingPort === previous.ManualPortMappingPort
    )
      return true;
    errors.push(
      `the server shows ManualPortMappingMode=${String(network.ManualPortMappingMode)} ManualPortMappingPort=${String(network.ManualPortMappingPort)}, ` +
        `not ${String(previous.ManualPortMappingMode)}/${previous.ManualPortMappingPort}: set them back in Settings → Remote Access`,
    );
  } catch (error) {
    errors.push(`reading the prefs back failed: ${message(error)}`);
  }
  return false;
}

/** Deletes the temporary mapping; "no such entry" counts as deleted. */
export async function deleteMapping(
  mapping: MappingToDelete,
  options: { timeoutMs: number; dispatcher?: Dispatcher },
  errors: string[],
): Promise<boolean> {
  const igd = createIgdClient(
    { controlUrl: mapping.controlUrl, serviceType: mapping.serviceType },
    options.dispatcher ? { dispatcher: options.dispatcher } : {},
  );
  const result = await igd.deletePortMapping(mapping.externalPort, 'TCP', { timeoutMs: options.timeoutMs });
  if (result.status === 'ok') return true;
  if (result.status === 'refused' && result.upnpError.code === NO_SUCH_ENTRY) return true;
  const why = result.status === 'refused' ? describeUpnpError(result.upnpError) : result.error.message;
  errors.push(
    `deleting the router mapping of external port ${mapping.externalPort}/TCP failed (${why}): remove it in the router's UPnP table`,
  );
  return false;
}

export async function writeExperimentJournal(journalPath: string, journal: AlternatePortJournal): Promise<void> {
  await writePrivateFile(journalPath, `${JSON.stringify(AlternatePortJournal.parse(journal), null, 2)}\n`);
}

export interface RestorePendingOptions {
  /** The PMS client (admin token). */
  server: ServerClient;
  /** The router's control endpoint, when it changed since the crashed run (re-discovered). @default the journal's */
  igd?: { controlUrl: string; serviceType: string };
  /** The experiment's journal path. */
  journalPath: string;
  /** undici dispatcher for the router's control requests. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Deadline of each side (prefs, mapping). @default 15000 */
  timeoutMs?: number;
}

/**
 * Restores what a crashed run left changed, from its journal; removes the journal when everything is back. Never
 * throws. Prefs are only put back on the server the journal names, and only while they still point at the
 * experiment's port (the user may have changed them since).
 */
export async function restorePendingExperiment(options: RestorePendingOptions): Promise<PendingRestoreResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RESTORE_TIMEOUT_MS;
  const read = await readPrivateFile(options.journalPath);
  if (read.status === 'missing') return { found: false, journalRemoved: false };
  const errors: string[] = [];
  const fail = (problem: string): PendingRestoreResult => ({
    found: true,
    restored: { prefs: false, mapping: false, errors: [problem] },
    journalRemoved: false,
  });
  if (read.status === 'unreadable')
    return fail(`cannot read the experiment journal ${options.journalPath} (${read.causeCode})`);
  let journal: AlternatePortJournal;
  try {
    journal = AlternatePortJournal.parse(JSON.parse(read.text));
  } catch {
    return fail(
      `the experiment journal ${options.journalPath} is not valid; check ManualPortMappingMode/Port and the router's UPnP table by hand, then delete it`,
    );
  }
  const [prefs, mapping] = await Promise.all([
    restorePendingPrefs(options.server, journal, timeoutMs, errors),
    deleteMapping(
      { ...journal.mapping, ...(options.igd ?? {}) },
      { timeoutMs, dispatcher: options.dispatcher },
      errors,
    ),
  ]);
  const restored: RestoreOutcome = { prefs, mapping, errors };
  if (!prefs || !mapping) return { found: true, restored, journalRemoved: false };
  try {
    await removeFile(options.journalPath);
    return { found: true, restored, journalRemoved: true };
  } catch (error) {
    errors.push(`removing the experiment journal failed: ${message(error)}`);
    return { found: true, restored, journalRemoved: false };
  }
}

async function restorePendingPrefs(
  server: ServerClient,
  journal: AlternatePortJournal,
  timeoutMs: number,
  errors: string[],
): Promise<boolean> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const identity = await server.identity({ signal });
    if (identity.machineIdentifier !== journal.machineIdentifier) {
      errors.push(
        `the journal is for server ${journal.machineIdentifier} (${journal.serverUrl}), not ${identity.machineIdentifier}: its prefs were not touched`,
      );
      return false;
    }
    const { network } = await server.prefs({ signal });
    // Ours only while they still point at the experiment's port; otherwise someone changed them since: leave them.
    if (network.ManualPortMappingMode !== true || network.ManualPortMappingPort !== journal.mapping.externalPort)
      return true;
  } catch (error) {
    errors.push(`reading the server failed: ${message(error)}`);
    return false;
  }
  return restorePrefs(server, journal.previousPrefs, timeoutMs, errors);
}
