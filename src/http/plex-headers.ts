import { platform, release } from 'node:os';
import { VERSION } from '../core/version.js';

export interface PlexClientIdentity {
  /** X-Plex-Product. @default 'plex-diagnose' */
  product?: string;
  /** X-Plex-Version. @default this package's version */
  version?: string;
  /**
   * X-Plex-Client-Identifier: a stable id for this client install. plex.tv requires it on v2 endpoints and ties PIN
   * logins to it, so callers should generate it once (see `createClientIdentifier`) and reuse it.
   */
  clientIdentifier?: string;
  /** X-Plex-Device-Name. @default 'plex-diagnose' */
  deviceName?: string;
}

/**
 * The identification headers Tautulli and python-plexapi send to both PMS and plex.tv (docs/reference/plex-api.md §0).
 */
export function plexClientHeaders(identity: PlexClientIdentity = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Plex-Product': identity.product ?? 'plex-diagnose',
    'X-Plex-Version': identity.version ?? VERSION,
    'X-Plex-Platform': 'Node.js',
    'X-Plex-Platform-Version': process.versions.node,
    'X-Plex-Device': `${platform()} ${release()}`,
    'X-Plex-Device-Name': identity.deviceName ?? 'plex-diagnose',
  };
  if (identity.clientIdentifier) headers['X-Plex-Client-Identifier'] = identity.clientIdentifier;
  return headers;
}
