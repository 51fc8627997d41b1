/** How the fake PMS reads a request: the token (header or query), the query without it, and what it records. */
import type { IncomingMessage } from 'node:http';

/** One request as the fake saw it. Never the token's value. */
export interface FakePlexRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** Query parameters, X-Plex-Token removed. */
  query: Record<string, string>;
  /** A token came with the request (header or query). */
  hadToken: boolean;
  /** It matched the server's token (or the server has none and one was sent). */
  tokenValid: boolean;
  accept?: string;
}

/** Prefs whose change makes a real server re-publish / re-map. */
export const MAPPING_PREFS = new Set([
  'PublishServerOnPlexOnlineKey',
  'ManualPortMappingMode',
  'ManualPortMappingPort',
  'secureConnections',
  'RelayEnabled',
  'customConnections',
  // IPv6 connections are published or withdrawn with it.
  'EnableIPv6',
]);

export function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers['x-plex-token'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader ?? url.searchParams.get('X-Plex-Token') ?? undefined;
}

export function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) if (key.toLowerCase() !== 'x-plex-token') query[key] = value;
  return query;
}
