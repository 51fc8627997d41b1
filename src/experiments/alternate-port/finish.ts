/**
 * The last step of every alternate-port run: keep a reachable setup when asked, else put back everything that was
 * changed (both sides at once, each under its own fresh deadline, never the run's signal), then drop the journal
 * once nothing is left to restore. Never throws.
 */
import type { Dispatcher } from 'undici';
import { removeFile } from '../../core/util/private-file.js';
import { describeUpnpError, type IgdClient } from '../../probes/upnp/client.js';
import type { ServerClient } from '../../clients/server/client.js';
import type { RestoreOutcome } from '../../collect/values/alternate-port.js';
import { deleteMapping, restorePrefs, type PrefsToRestore } from './restore.js';
import type { MappingAdded } from './steps.js';

export interface FinishInput {
  server: ServerClient;
  igd: IgdClient;
  igdRef: { controlUrl: string; serviceType: string };
  /** Keep the changes (the caller checked `keep` and a reachable outcome). */
  keep: boolean;
  /** The mapping made (or maybe made), if any. */
  added: MappingAdded | undefined;
  /** The prefs to put back, when a pref change was attempted. */
  prefsToRestore: PrefsToRestore | undefined;
  /** The journal, when this run wrote one. */
  journalPath: string | undefined;
  timeoutMs: number;
  dispatcher: Dispatcher | undefined;
  step: (name: string, ok: boolean, detail?: string) => void;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function keepPermanently(input: FinishInput, added: MappingAdded, errors: string[]): Promise<boolean> {
  const signal = AbortSignal.timeout(input.timeoutMs);
  const permanent = await input.igd.addPortMapping(
    { ...added.input, leaseSeconds: 0 },
    { signal, timeoutMs: input.timeoutMs },
  );
  if (permanent.status === 'ok') {
    input.step('keep-mapping', true, `external port ${added.externalPort} kept, permanent`);
    return true;
  }
  const why = permanent.status === 'refused' ? describeUpnpError(permanent.upnpError) : permanent.error.message;
  input.step('keep-mapping', false, why);
  errors.push(`making the mapping permanent failed (${why}), so the changes were restored instead`);
  return false;
}

export async function finishExperiment(input: FinishInput): Promise<{ restored: RestoreOutcome; kept: boolean }> {
  const restored: RestoreOutcome = { prefs: true, mapping: true, errors: [] };
  let kept = false;
  try {
    if (input.keep && input.added) kept = await keepPermanently(input, input.added, restored.errors);
    if (kept) {
      // Nothing was put back, on purpose.
      restored.prefs = false;
      restored.mapping = false;
    } else {
      const { added, prefsToRestore: previous } = input;
      const [prefsBack, mappingGone] = await Promise.all([
        previous ? restorePrefs(input.server, previous, input.timeoutMs, restored.errors) : true,
        added
          ? deleteMapping(
              { ...input.igdRef, externalPort: added.externalPort },
              { timeoutMs: input.timeoutMs, dispatcher: input.dispatcher },
              restored.errors,
            )
          : true,
      ]);
      restored.prefs = prefsBack;
      restored.mapping = mappingGone;
      if (previous)
        input.step(
          'restore-prefs',
          prefsBack,
          `ManualPortMappingMode=${previous.ManualPortMappingMode ? 1 : 0} ManualPortMappingPort=${previous.ManualPortMappingPort}`,
        );
      if (added) input.step('delete-mapping', mappingGone, `external port ${added.externalPort}/TCP`);
    }
    if (input.journalPath && (kept || (restored.prefs && restored.mapping))) {
      await removeFile(input.journalPath);
      input.step('remove-journal', true);
    } else if (input.journalPath) {
      restored.errors.push(`the restore journal ${input.journalPath} was kept: the next run restores from it`);
    }
  } catch (error) {
    restored.errors.push(`restoring failed: ${message(error)}`);
  }
  return { restored, kept };
}
