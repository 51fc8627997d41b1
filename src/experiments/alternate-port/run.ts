/**
 * The alternate-port experiment: turns "the ISP blocks 32400" from a guess into proof. Ask the router (UPnP) to map a
 * random high external port to the server, point PMS at it (ManualPortMappingMode/Port), ask Plex once to re-check
 * reachability, wait (bounded) for the mapping state, then put everything back: also when the run is aborted or a
 * step throws. If 32400 fails but the alternate port is reachable, something upstream filters 32400.
 *
 * Opt-in and state-changing: the CLI explains it and asks first. Never throws; the result is plain JSON.
 * refreshReachability is called exactly once: Plex calls it expensive and rate limited (docs/reference/plex-api.md §3).
 */
import { randomInt } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { readPrivateFile } from '../../core/util/private-file.js';
import { createIgdClient, type IgdClient } from '../../probes/upnp/client.js';
import type { PortMappingEntry } from '../../probes/upnp/schema.js';
import type { ServerClient } from '../../clients/server/client.js';
import type { MyPlexAccount } from '../../clients/server/schemas/account.js';
import type { AlternatePortResult, AlternatePortStep, MappingView } from '../../collect/values/alternate-port.js';
import { addAlternateMapping, decideOutcome, ExperimentStop, type MappingAdded } from './steps.js';
import { DEFAULT_RESTORE_TIMEOUT_MS, writeExperimentJournal, type PrefsToRestore } from './restore.js';
import { finishExperiment } from './finish.js';
import { describeOutsideCheck, type AlternatePortOutsideCheck } from './outside-check.js';
import type { AlternatePortOutside } from '../../collect/values/alternate-port.js';

export const MAPPING_DESCRIPTION = 'plex-diagnose alternate-port test';
/** An hour: if we are killed, the router drops the mapping by itself. */
export const MAPPING_LEASE_SECONDS = 3600;

export interface AlternatePortOptions {
  /** The PMS client (admin token). Create it without a client-wide signal: restoration must reach the server after an abort. */
  server: ServerClient;
  /** The router's WAN connection service, from the UPnP probe (`controlUrl`, `serviceType`). */
  igd: { controlUrl: string; serviceType: string };
  /** The server's LAN address the mapping forwards to. */
  internalClient: string;
  /** The server's port. @default 32400 */
  internalPort?: number;
  /** The external port to test. @default a random free port in 40000-60999 not in `existingMappings` */
  externalPort?: number;
  /** The router's current table (from the UPnP probe), to avoid ports in use. @default [] */
  existingMappings?: PortMappingEntry[];
  /** How long to wait for a mapping state on the new port. @default 45000 */
  waitMs?: number;
  /** Pause between `/myplex/account` polls. @default 2000 */
  pollIntervalMs?: number;
  /**
   * A `failed` state already shown before the change is believed only after this long since the prefs changed (or
   * once another state was seen in between): PMS re-checks in the background, and the first polls may still show
   * the old port's failure. @default 10000
   */
  settleMs?: number;
  /** Keep the prefs and make the mapping permanent when the alternate port is reachable. @default false */
  keep?: boolean;
  /** Aborts the run; every change is restored all the same, under its own deadline. @default undefined */
  signal?: AbortSignal;
  /** Called after each step (progress for the CLI); exceptions it throws are ignored. @default undefined */
  onStep?: (step: AlternatePortStep) => void;
  /** Restore journal, written before any pref changes, for `restorePendingExperiment` after a crash. @default undefined (none) */
  journalPath?: string;
  /** undici dispatcher for the router's control requests. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Deadline of each router call. @default 3000 */
  igdTimeoutMs?: number;
  /** Deadline of each side of the restoration (prefs, mapping). @default 15000 */
  restoreTimeoutMs?: number;
  /**
   * A reflector's check of the alternate port (`--reflector`), run while the mapping is in place and awaited before
   * it is removed; recorded as `outside`. @default undefined (plex.tv's check only)
   */
  checkFromOutside?: AlternatePortOutsideCheck;
  /** Clock in milliseconds, for elapsed times and the wait. @default Date.now */
  now?: () => number;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function viewOf(account: MyPlexAccount): MappingView {
  return {
    ...(account.mappingState === undefined ? {} : { mappingState: account.mappingState }),
    ...(account.mappingError === undefined ? {} : { mappingError: account.mappingError }),
    ...(account.publicPort === undefined ? {} : { publicPort: account.publicPort }),
  };
}

const describeView = (view: MappingView): string =>
  `mappingState=${view.mappingState ?? '?'}${view.mappingError ? ` mappingError=${view.mappingError}` : ''}${view.publicPort === undefined ? '' : ` publicPort=${view.publicPort}`}`;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runAlternatePortExperiment(options: AlternatePortOptions): Promise<AlternatePortResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const { server, signal } = options;
  const internalPort = options.internalPort ?? 32400;
  const waitMs = options.waitMs ?? 45_000;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const settleMs = options.settleMs ?? 10_000;
  const restoreTimeoutMs = options.restoreTimeoutMs ?? DEFAULT_RESTORE_TIMEOUT_MS;
  const igd: IgdClient = createIgdClient(options.igd, {
    timeoutMs: options.igdTimeoutMs ?? 3000,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const steps: AlternatePortStep[] = [];
  const step = (name: string, ok: boolean, detail?: string): void => {
    const entry: AlternatePortStep = {
      name,
      ok,
      ...(detail === undefined ? {} : { detail }),
      elapsedMs: Math.max(0, Math.round(now() - started)),
    };
    steps.push(entry);
    try {
      options.onStep?.(entry);
    } catch {
      // Progress reporting must not break the experiment or its restoration.
    }
  };
  const checkAbort = (): void => {
    if (signal?.aborted) throw new ExperimentStop(changed() ? 'inconclusive' : 'not-run', 'aborted');
  };

  let machineIdentifier: string | undefined;
  let previous: PrefsToRestore | undefined;
  let before: MappingView | undefined;
  let after: MappingView | undefined;
  let added: MappingAdded | undefined;
  let prefsTouched = false;
  let journalWritten = false;
  let mappingConfirmed = false;
  const changed = (): boolean => added !== undefined || prefsTouched;
  let outcome: AlternatePortResult['outcome'];
  let reason: string | undefined;
  // Started once the mapping exists, awaited before it is removed: the reflector must see the port forwarded.
  let outsidePending: Promise<AlternatePortOutside> | undefined;

  try {
    // (1) The state before: who the server is, its port prefs, and the original port's mapping result.
    checkAbort();
    try {
      const [identity, prefs, account] = await Promise.all([
        server.identity({ signal }),
        server.prefs({ signal }),
        server.account({ signal }),
      ]);
      machineIdentifier = identity.machineIdentifier;
      before = viewOf(account);
      const {
        ManualPortMappingMode: mode,
        ManualPortMappingPort: port,
        PublishServerOnPlexOnlineKey: publish,
      } = prefs.network;
      if (mode === undefined || port === undefined)
        throw new ExperimentStop('not-run', 'the server does not list ManualPortMappingMode/ManualPortMappingPort');
      if (publish === false)
        throw new ExperimentStop(
          'not-run',
          'remote access is disabled (PublishServerOnPlexOnlineKey is off): there is nothing to test',
        );
      previous = { ManualPortMappingMode: mode, ManualPortMappingPort: port };
      step(
        'read-state',
        true,
        `${describeView(before)}; ManualPortMappingMode=${String(mode)} ManualPortMappingPort=${port}`,
      );
    } catch (error) {
      step('read-state', false, error instanceof ExperimentStop ? error.reason : message(error));
      if (error instanceof ExperimentStop) throw error;
      checkAbort();
      throw new ExperimentStop('not-run', `the server's prefs or account could not be read: ${message(error)}`);
    }

    // A journal left by a crashed run must be restored first: overwriting it would lose what it has to put back.
    if (options.journalPath && (await readPrivateFile(options.journalPath)).status !== 'missing') {
      throw new ExperimentStop(
        'not-run',
        `a journal from an earlier run is pending at ${options.journalPath}: restore it first (restorePendingExperiment)`,
      );
    }

    // (2) The router mapping, with a lease so it expires by itself if we are killed.
    try {
      added = await addAlternateMapping({
        igd,
        options,
        internalPort,
        description: MAPPING_DESCRIPTION,
        leaseSeconds: MAPPING_LEASE_SECONDS,
        step,
        signal,
        random: randomInt,
      });
      mappingConfirmed = true;
      const check = options.checkFromOutside;
      if (check) {
        const port = added.externalPort;
        outsidePending = check(port, signal).catch((error: unknown): AlternatePortOutside => ({
          ok: false,
          outside: false,
          port,
          error: message(error),
        }));
      }
    } catch (error) {
      if (error instanceof ExperimentStop && error.maybeAdded) added = error.maybeAdded;
      throw error;
    }
    checkAbort();

    // (3) The journal, before any pref changes.
    if (options.journalPath) {
      try {
        await writeExperimentJournal(options.journalPath, {
          version: 1,
          kind: 'alternate-port',
          machineIdentifier,
          serverUrl: server.baseUrl,
          startedAt: new Date().toISOString(),
          previousPrefs: previous,
          mapping: {
            ...options.igd,
            externalPort: added.externalPort,
            internalPort,
            internalClient: options.internalClient,
            protocol: 'TCP',
          },
        });
        journalWritten = true;
        step('write-journal', true, options.journalPath);
      } catch (error) {
        step('write-journal', false, message(error));
        throw new ExperimentStop('not-run', `the restore journal could not be written: ${message(error)}`);
      }
    }
    checkAbort();

    // (4) Point PMS at the alternate port.
    prefsTouched = true;
    try {
      await server.setPrefs({ ManualPortMappingMode: true, ManualPortMappingPort: added.externalPort }, { signal });
      step('set-prefs', true, `ManualPortMappingMode=1 ManualPortMappingPort=${added.externalPort}`);
    } catch (error) {
      step('set-prefs', false, message(error));
      checkAbort();
      throw new ExperimentStop('not-run', `the server refused the pref change: ${message(error)}`);
    }
    checkAbort();

    // (5) One re-check. A refusal is not fatal: changing the prefs already makes PMS map and publish again.
    try {
      await server.refreshReachability({ signal });
      step('refresh-reachability', true);
    } catch (error) {
      step('refresh-reachability', false, message(error));
    }

    // (6) Wait, bounded, for the verdict on the new port.
    const changedAt = now();
    const deadline = changedAt + waitMs;
    let sawChange = false;
    for (;;) {
      checkAbort();
      try {
        const view = viewOf(await server.account({ signal }));
        after = view;
        if (view.mappingState !== before.mappingState) sawChange = true;
        step('poll-account', true, describeView(view));
        const verdict = decideOutcome(view, before, added.externalPort, {
          sawChange,
          settled: now() - changedAt >= settleMs,
        });
        if (verdict) {
          outcome = verdict;
          break;
        }
      } catch (error) {
        step('poll-account', false, message(error));
      }
      const remaining = deadline - now();
      if (remaining <= 0) {
        checkAbort();
        throw new ExperimentStop(
          'inconclusive',
          `no mapping state for port ${added.externalPort} within ${waitMs} ms${after ? ` (last seen: ${describeView(after)})` : ''}`,
        );
      }
      await sleep(Math.min(pollIntervalMs, remaining), signal);
    }
  } catch (error) {
    if (error instanceof ExperimentStop) {
      outcome = error.outcome;
      reason = error.reason;
    } else {
      outcome = changed() ? 'inconclusive' : 'not-run';
      reason = `unexpected failure: ${message(error)}`;
    }
  }

  // The outside check ends (bounded by its own deadline) before the mapping it tests is removed.
  const outside = outsidePending ? await outsidePending : undefined;
  if (outside) step('outside-check', outside.ok, describeOutsideCheck(outside));

  // (7) Restore, always; or keep a reachable setup when asked.
  const { restored, kept } = await finishExperiment({
    server,
    igd,
    igdRef: options.igd,
    keep: options.keep === true && outcome === 'reachable',
    added,
    prefsToRestore: prefsTouched ? previous : undefined,
    journalPath: journalWritten ? options.journalPath : undefined,
    timeoutMs: restoreTimeoutMs,
    dispatcher: options.dispatcher,
    step,
  });

  return {
    outcome,
    ...(reason === undefined ? {} : { reason }),
    ...(machineIdentifier === undefined ? {} : { machineIdentifier }),
    internalClient: options.internalClient,
    internalPort,
    ...(added ? { externalPort: added.externalPort } : {}),
    ...(added && mappingConfirmed ? { leaseSeconds: added.input.leaseSeconds ?? MAPPING_LEASE_SECONDS } : {}),
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    restored,
    kept,
    aborted: signal?.aborted ?? false,
    steps,
    ...(outside ? { outside } : {}),
    durationMs: Math.max(0, Math.round(now() - started)),
  };
}
