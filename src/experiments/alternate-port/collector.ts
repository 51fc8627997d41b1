/**
 * The alternate-port experiment as a collector (`experiment.alternatePort`), registered only when the user opts in.
 * It needs the router's WAN service (probe.upnp) and the server's prefs; its result is evidence for isp-blocks-port.
 *
 * Restoration outlives an abort: the scheduler stops waiting on Ctrl-C, but the experiment keeps restoring on a client
 * that is not bound to the collection's signal. `track` hands the caller the run, so it can wait for that before exit.
 */
import { createReader, defineCollector, type CollectorContext } from '../../collect/define-collector.js';
import type { CollectServices } from '../../collect/services.js';
import { serverLanEndpoint } from '../../rules/facts.js';
import { AlternatePortResult, type AlternatePortStep } from '../../collect/values/alternate-port.js';
import { runAlternatePortExperiment } from './run.js';
import { alternatePortOutsideCheck } from './outside-check.js';

export interface AlternatePortCollectorOptions {
  /** Keep the prefs and a permanent mapping when the alternate port works. @default false */
  keep?: boolean;
  /** Restore journal for crash safety. @default undefined */
  journalPath?: string;
  /** How long to wait for Plex's verdict on the new port. @default 45000 */
  waitMs?: number;
  /** Pause between polls of the mapping state. @default 2000 */
  pollIntervalMs?: number;
  /** A stale `failed` is believed only after this long. @default 10000 */
  settleMs?: number;
  onStep?: (step: AlternatePortStep) => void;
  /** Receives the running experiment (resolves once everything is restored or kept). */
  track?: (run: Promise<AlternatePortResult>) => void;
}

export const ALTERNATE_PORT_COLLECTOR_ID = 'experiment.alternatePort';

export function alternatePortCollector(options: AlternatePortCollectorOptions = {}) {
  const waitMs = options.waitMs ?? 45_000;
  return defineCollector({
    id: ALTERNATE_PORT_COLLECTOR_ID,
    title: 'Experiment: alternate public port',
    needs: ['probe.upnp', 'server.prefs', 'server.account', 'server.identity'],
    after: ['plextv.resources', 'plextv.publicIp'],
    // The wait for Plex's verdict, the router calls and the restoration, with room to spare.
    timeoutMs: waitMs + 60_000,
    schema: AlternatePortResult,
    async collect(ctx: CollectorContext<CollectServices>) {
      const upnp = ctx.get('probe.upnp')!;
      const facts = {
        ...createReader({}),
        get: ctx.get,
        observation: ctx.observation,
        snapshot: {
          target: { url: ctx.services.server.baseUrl },
          context: { tokenProvided: ctx.services.tokenProvided, plexTv: true, experiments: [] },
          createdAt: '',
        },
      };
      const server = serverLanEndpoint(facts);
      if (!server.address)
        ctx.skip("the server's LAN address is unknown, so there is nothing to forward a test port to");
      // With --reflector, the alternate port is also checked from outside while it is mapped.
      const checkFromOutside = alternatePortOutsideCheck(ctx.services, {
        publicIp: ctx.get('plextv.publicIp')?.address,
        machineIdentifier: ctx.get('server.identity')?.machineIdentifier,
      });
      const run = runAlternatePortExperiment({
        ...(checkFromOutside ? { checkFromOutside } : {}),
        server: ctx.services.serverForRestore ?? ctx.services.server,
        igd: { controlUrl: upnp.controlUrl, serviceType: upnp.serviceType },
        internalClient: server.address,
        internalPort: server.port,
        existingMappings: upnp.mappings,
        waitMs,
        ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
        ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
        keep: options.keep ?? false,
        signal: ctx.signal,
        ...(options.onStep ? { onStep: options.onStep } : {}),
        ...(options.journalPath ? { journalPath: options.journalPath } : {}),
      });
      options.track?.(run);
      return run;
    },
  });
}
