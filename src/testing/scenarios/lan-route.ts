/**
 * An undici Agent for a scenario's HTTP clients: connections to the server's LAN address (`192.168.1.10:32400`) reach
 * the fake Plex Media Server on loopback, everything else (the fake plex.tv) goes where its URL says. So the run is
 * pointed at the address a user would type, and the report shows that address, while no packet leaves the machine.
 */
import type { Agent } from 'undici';
import { loadUndici } from '../../http/load-undici.js';

export interface LanRoute {
  /** The address a user would type, e.g. '192.168.1.10'. */
  from: { host: string; port: number };
  /** Where the fake really listens. */
  to: { host: string; port: number };
}

/** Async because undici loads on first use (src/http/load-undici.ts), not when the testing entry is imported. */
export async function createLanRouteAgent(routes: readonly LanRoute[], connectTimeoutMs = 5000): Promise<Agent> {
  const { Agent, buildConnector } = await loadUndici();
  const direct = buildConnector({ timeout: connectTimeoutMs });
  return new Agent({
    connect: (options, callback) => {
      const port = Number(options.port || (options.protocol === 'https:' ? 443 : 80));
      const route = routes.find((r) => r.from.host === options.hostname && r.from.port === port);
      direct(route ? { ...options, hostname: route.to.host, port: String(route.to.port) } : options, callback);
    },
  });
}
