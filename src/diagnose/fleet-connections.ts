/**
 * The connections of one fleet target. A fleet contacts each server once: through undici's global dispatcher, every
 * server diagnosed would leave its origin's pool and idle keep-alive socket behind for undici's keepAliveTimeout (4 s
 * by default, or what the server's Keep-Alive header says), each with its HTTP parser, so a fast fleet held a pool for
 * every server of the last few seconds (docs/performance.md, "Issue 17: constant-memory fleets").
 *
 * So each target gets a dispatcher of its own: requests to the target's own origin go through an Agent of the
 * target's, destroyed as soon as its diagnosis ends; requests to any other origin (plex.tv, the router, a redirect)
 * go through the dispatcher they would have used anyway, so the plex.tv connection stays shared by the whole fleet.
 */
import type { Dispatcher } from 'undici';
import { loadUndici } from '../http/load-undici.js';

/**
 * How a fleet target's requests reach its server. 'per-target': as described above. 'shared': every request through
 * undici's global dispatcher, as a single `diagnose` does (idle connections then outlive the diagnosis).
 */
export type FleetConnections = 'per-target' | 'shared';

export interface TargetDispatcher {
  /** The dispatcher to give the target's diagnosis; undefined when it keeps its own or uses the global one. */
  readonly dispatcher: Dispatcher | undefined;
  /** Destroys the target's own connections. Never rejects; calling it twice is harmless. */
  close(): Promise<void>;
}

const nothingToClose: TargetDispatcher = { dispatcher: undefined, close: () => Promise.resolve() };

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    // A bad URL: diagnose reports it as a UsageError; no connection will be made.
    return undefined;
  }
}

function originOfRequest(origin: unknown): string | undefined {
  if (origin instanceof URL) return origin.origin;
  return typeof origin === 'string' ? originOf(origin) : undefined;
}

/**
 * The dispatcher for one target. A target that brings its own `dispatcher` keeps it (the caller owns its connections).
 * With 'per-target', the requests to other origins go through undici's global dispatcher, so a user's
 * `setGlobalDispatcher(...)` (a proxy, a mock) still carries them; only the target's own origin bypasses it.
 */
export async function targetDispatcher(
  target: { url?: unknown; dispatcher?: Dispatcher },
  connections: FleetConnections,
): Promise<TargetDispatcher> {
  if (connections === 'shared' || target.dispatcher || typeof target.url !== 'string') return nothingToClose;
  const ownOrigin = originOf(target.url);
  if (!ownOrigin) return nothingToClose;
  const undici = await loadUndici();
  const own = new undici.Agent();
  const others = undici.getGlobalDispatcher();

  class TargetRouter extends undici.Dispatcher {
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      return (originOfRequest(options.origin) === ownOrigin ? own : others).dispatch(options, handler);
    }
    // Only the target's own Agent is ours to end; the global dispatcher lives on for everyone else.
    override close(): Promise<void> {
      return own.close();
    }
    override destroy(): Promise<void> {
      return own.destroy();
    }
  }

  let closed: Promise<void> | undefined;
  return {
    dispatcher: new TargetRouter(),
    // destroy, not close: the diagnosis has ended, so nothing of ours still waits on these sockets, and a request a
    // misbehaving collector left running must not keep them open.
    close: () => (closed ??= own.destroy().catch(() => undefined)),
  };
}
