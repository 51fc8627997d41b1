/**
 * The value of `experiment.alternatePort`: what the opt-in alternate-port experiment found. Defined here, with the
 * other observation values rules read, and produced by src/experiments (which sits above the rules that read it).
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';
import { OutsideVantage } from '../../outside/vantage.js';

export const ALTERNATE_PORT_OUTCOMES = ['reachable', 'unreachable', 'inconclusive', 'not-run'] as const;
/**
 * reachable: plex.tv reached the server on the alternate port; unreachable: it did not; inconclusive: no verdict
 * within the wait (or the run was aborted midway); not-run: nothing was tested (the router refused the mapping, the
 * prefs could not be read or set, remote access is off, aborted before any change).
 */
export const AlternatePortOutcome = lazySchema(() => z.enum(ALTERNATE_PORT_OUTCOMES));
export type AlternatePortOutcome = z.infer<typeof AlternatePortOutcome>;

/** The server's mapping state as `/myplex/account` reports it. */
export const MappingView = lazySchema(() =>
  z.object({
    mappingState: z.string().optional(),
    mappingError: z.string().optional(),
    publicPort: z.number().optional(),
  }),
);
export type MappingView = z.infer<typeof MappingView>;

export const AlternatePortStep = lazySchema(() =>
  z.object({
    /** read-state, add-mapping, write-journal, set-prefs, refresh-reachability, poll-account, restore-prefs, delete-mapping, keep-mapping, remove-journal. */
    name: z.string(),
    ok: z.boolean(),
    detail: z.string().optional(),
    /** Time since the experiment started, when the step ended. */
    elapsedMs: z.number(),
  }),
);
export type AlternatePortStep = z.infer<typeof AlternatePortStep>;

export const RestoreOutcome = lazySchema(() =>
  z.object({
    /** The ManualPortMapping prefs are back to their values before the run (true when they were never touched). */
    prefs: z.boolean(),
    /** The temporary router mapping is gone (true when none was made). */
    mapping: z.boolean(),
    /** What went wrong while restoring, for the user to finish by hand. */
    errors: z.array(z.string()),
  }),
);
export type RestoreOutcome = z.infer<typeof RestoreOutcome>;

/**
 * The alternate port as a reflector saw it (`--reflector` during the experiment), so the proof does not rest on
 * plex.tv's check alone. `outside` is true only for a real outside vantage (never a hairpin, LAN or loopback one).
 */
export const AlternatePortOutside = lazySchema(() =>
  z.object({
    /** The check ran and the reflector answered; false with `error` when it did not. */
    ok: z.boolean(),
    error: z.string().optional(),
    vantage: OutsideVantage.optional(),
    outside: z.boolean(),
    vantageReason: z.string().optional(),
    /** The address the reflector saw us come from (and so checked). */
    sourceSeen: z.string().optional(),
    port: z.number().int(),
    state: z.enum(['open', 'refused', 'filtered', 'unreachable', 'error']).optional(),
    /** Which server answered /identity on the alternate port: this one, another Plex server, not Plex, or none. */
    identity: z.enum(['this', 'other', 'not-plex', 'none']).optional(),
  }),
);
export type AlternatePortOutside = z.infer<typeof AlternatePortOutside>;

export const AlternatePortResult = lazySchema(() =>
  z.object({
    outcome: realSchema(AlternatePortOutcome),
    /** Why, for not-run and inconclusive (and any verdict worth a sentence). */
    reason: z.string().optional(),
    machineIdentifier: z.string().optional(),
    internalClient: z.string(),
    internalPort: z.number().int(),
    /** The external port tested; absent when none was mapped. */
    externalPort: z.number().int().optional(),
    /** The lease the router granted: 3600, or 0 when it takes only permanent mappings (725). */
    leaseSeconds: z.number().int().optional(),
    /** The mapping state on the original port, before any change. */
    before: MappingView.optional(),
    /** The last mapping state seen while waiting. */
    after: MappingView.optional(),
    restored: realSchema(RestoreOutcome),
    /** `keep` was asked, the port was reachable, and the prefs and a permanent mapping were kept. */
    kept: z.boolean(),
    /** The caller's signal fired during the run. */
    aborted: z.boolean(),
    steps: z.array(realSchema(AlternatePortStep)),
    /** The alternate port checked by a reflector, when `--reflector` was given and a mapping was made. */
    outside: AlternatePortOutside.optional(),
    durationMs: z.number(),
  }),
);
export type AlternatePortResult = z.infer<typeof AlternatePortResult>;
