/** The router-mapping step and the verdict rule of the alternate-port experiment, kept apart to stay small. */
import { isIpAddress } from '../../core/net/address.js';
import type { AddPortMappingInput, IgdClient } from '../../probes/upnp/client.js';
import { describeUpnpError } from '../../probes/upnp/client.js';
import type { PortMappingEntry } from '../../probes/upnp/schema.js';
import type { AlternatePortOutcome, MappingView } from '../../collect/values/alternate-port.js';

/** Ends the experiment early with an outcome; restoration still runs. */
export class ExperimentStop extends Error {
  override name = 'ExperimentStop';
  constructor(
    readonly outcome: AlternatePortOutcome,
    readonly reason: string,
    /** A mapping that may exist although the step failed (an interrupted AddPortMapping): restoration deletes it. */
    readonly maybeAdded?: MappingAdded,
  ) {
    super(reason);
  }
}

export interface MappingAdded {
  externalPort: number;
  /** What was sent, with the lease actually granted. */
  input: AddPortMappingInput;
}

/** The alternate ports are taken from here: high, outside the usual service and ephemeral-by-default ranges. */
export const ALTERNATE_PORT_RANGE = { min: 40000, max: 60999 } as const;
const RANDOM_ATTEMPTS = 3;
/** UPnP 718 ConflictInMappingEntry; 725 OnlyPermanentLeasesSupported (IGD:1 devices that take only lease 0). */
const CONFLICT = 718;
const PERMANENT_ONLY = 725;

function randomFreePort(taken: Set<number>, random: (min: number, maxExclusive: number) => number): number {
  for (let i = 0; i < 100; i++) {
    const port = random(ALTERNATE_PORT_RANGE.min, ALTERNATE_PORT_RANGE.max + 1);
    if (!taken.has(port)) return port;
  }
  throw new ExperimentStop('not-run', 'no free external port found in 40000-60999');
}

export interface PickPortContext {
  igd: IgdClient;
  options: { internalClient: string; externalPort?: number; existingMappings?: PortMappingEntry[] };
  internalPort: number;
  description: string;
  leaseSeconds: number;
  step: (name: string, ok: boolean, detail?: string) => void;
  signal: AbortSignal | undefined;
  /** Picks a random integer in [min, maxExclusive) (crypto.randomInt in the experiment; a sequence in tests). */
  random: (min: number, maxExclusive: number) => number;
}

/**
 * Maps an external port (the given one, or up to three random free ones) to the server. A port the router already
 * maps is never taken over: AddPortMapping would silently replace a mapping of the same host. Throws ExperimentStop
 * ('not-run') when the router refuses (e.g. 718, 606) or cannot be reached.
 */
export async function addAlternateMapping(context: PickPortContext): Promise<MappingAdded> {
  const { igd, options, step, signal } = context;
  const explicit = options.externalPort;
  if (explicit !== undefined && !(Number.isInteger(explicit) && explicit >= 1 && explicit <= 65535)) {
    throw new ExperimentStop('not-run', `externalPort must be a port number, got ${explicit}`);
  }
  if (!isIpAddress(options.internalClient)) {
    throw new ExperimentStop(
      'not-run',
      `internalClient must be the server's LAN IP address, got "${options.internalClient}"`,
    );
  }
  const taken = new Set(
    (options.existingMappings ?? []).filter((m) => m.protocol.toUpperCase() === 'TCP').map((m) => m.externalPort),
  );
  const attempts = explicit === undefined ? RANDOM_ATTEMPTS : 1;
  let lastProblem = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (signal?.aborted) throw new ExperimentStop('not-run', 'aborted');
    const externalPort = explicit ?? randomFreePort(taken, context.random);
    taken.add(externalPort);
    const current = await igd.getSpecificPortMappingEntry(externalPort, 'TCP', { signal });
    if (current.status === 'ok') {
      lastProblem = `external port ${externalPort} is already mapped to ${current.value.internalClient}:${current.value.internalPort} (${current.value.description || 'no description'})`;
      step('add-mapping', false, lastProblem);
      continue;
    }
    const input: AddPortMappingInput = {
      externalPort,
      internalPort: context.internalPort,
      internalClient: options.internalClient,
      protocol: 'TCP',
      description: context.description,
      leaseSeconds: context.leaseSeconds,
    };
    let result = await igd.addPortMapping(input, { signal });
    if (result.status === 'refused' && result.upnpError.code === PERMANENT_ONLY) {
      input.leaseSeconds = 0;
      result = await igd.addPortMapping(input, { signal });
    }
    const target = `${externalPort} → ${input.internalClient}:${input.internalPort}/TCP`;
    if (result.status === 'ok') {
      step(
        'add-mapping',
        true,
        `${target}, lease ${input.leaseSeconds === 0 ? '0 (permanent: the router takes no other)' : `${input.leaseSeconds} s`}`,
      );
      return { externalPort, input };
    }
    if (result.status === 'failed') {
      step('add-mapping', false, `${target}: ${result.error.message}`);
      // Timed out or aborted: the router may have made it, so restoration deletes it (714 then means it never did).
      throw new ExperimentStop('not-run', `the router could not be asked for a mapping: ${result.error.message}`, {
        externalPort,
        input,
      });
    }
    lastProblem = `the router refused the mapping ${target}: ${describeUpnpError(result.upnpError)}`;
    step('add-mapping', false, lastProblem);
    if (result.upnpError.code !== CONFLICT) break;
  }
  throw new ExperimentStop('not-run', lastProblem || 'the router refused the mapping');
}

/**
 * The verdict from one `/myplex/account` view: reachable when mapped on the new port (or mapped, when the server
 * does not report the port); unreachable when failed. A state equal to the one before the change is not believed
 * (it may be the old port's) until another state was seen in between or `settled` says enough time has passed.
 */
export function decideOutcome(
  view: MappingView,
  before: MappingView,
  externalPort: number,
  progress: { sawChange: boolean; settled: boolean },
): 'reachable' | 'unreachable' | undefined {
  const maybeStale = view.mappingState === before.mappingState && !progress.sawChange && !progress.settled;
  if (view.mappingState === 'mapped') {
    if (view.publicPort !== undefined && view.publicPort !== 0)
      return view.publicPort === externalPort ? 'reachable' : undefined;
    return maybeStale ? undefined : 'reachable';
  }
  if (view.mappingState === 'failed') return maybeStale ? undefined : 'unreachable';
  return undefined;
}
