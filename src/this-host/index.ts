// `plex-diagnose/this-host`: what this machine knows. Where a Plex token can be found (flag, PLEX_TOKEN, the config
// file `login` writes, the server's own Preferences.xml / macOS plist / Windows registry), the config directory, and
// the stable client identifier plex.tv sees. Never prints; the token never appears in any result's text. Every export
// is named here.

export { discoverToken } from './discover-token.js';
export type {
  DiscoverTokenInput,
  DiscoveredToken,
  TokenAttempt,
  TokenSource,
  TokenAttemptOutcome,
} from './discover-token.js';

// The server's own preferences: where they live on this platform, and the Preferences.xml parser.
export { preferencesLocations, parsePreferencesXml } from './plex-preferences.js';
export type {
  PreferencesLocation,
  PreferencesKind,
  PreferencesReadResult,
  LocationOptions,
  ReadFileFn,
  ExecFileFn,
} from './plex-preferences.js';

// The config directory (PLEX_DIAGNOSE_CONFIG_DIR, XDG, APPDATA) and the client identifier kept there.
export { configDir, configPath, readConfig, getOrCreateClientIdentifier, ConfigFileError } from './config-file.js';
export type { ConfigLocationOptions, StoredConfig, CliConfig, ConfigFileProblem } from './config-file.js';
