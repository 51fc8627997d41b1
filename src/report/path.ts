/**
 * The path from the server to the internet, as Plex's Remote Access page draws it but complete: server → [container
 * bridge] → router (LAN / WAN) → [second NAT or CGNAT] → public address as plex.tv sees it → internet, with the hop
 * a root cause points at marked. Built from the snapshot and the diagnoses only (pure).
 */
import type { Snapshot } from '../collect/snapshot.js';
import type { Diagnosis, NetworkPath } from './types.js';

export function describePath(_snapshot: Snapshot, _diagnoses: readonly Diagnosis[]): NetworkPath | undefined {
  return undefined;
}
