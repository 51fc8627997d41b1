/**
 * Token discovery, so `npx plex-diagnose` works with no arguments on the server's own host. Order: `--token`,
 * `PLEX_TOKEN`, the config file written by `login`, then the server's own preferences (Preferences.xml, the macOS
 * plist or the Windows registry). Never throws; the token is never part of `tried` or any detail text.
 *
 * A token read from a server's preferences comes with that server's MachineIdentifier: on a host that runs more than
 * one server (a native install and a container), the CLI checks it against the target before using the token.
 */
import { ConfigFileError, configPath, readConfig } from './config-file.js';
import {
  defaultExecFile,
  defaultReadFile,
  preferencesLocations,
  readPreferencesLocation,
  type ExecFileFn,
  type PreferencesLocation,
  type ReadFileFn,
  type TokenAttemptOutcome,
} from './plex-preferences.js';

export type { TokenAttemptOutcome } from './plex-preferences.js';

export type TokenSource = 'flag' | 'env' | 'config' | 'preferences';

/** A source that did not give a token, and why. */
export interface TokenAttempt {
  source: TokenSource;
  path?: string;
  outcome: TokenAttemptOutcome;
  /** For people: "permission denied (EACCES): run as the plex user or with sudo". Never contains the token. */
  detail: string;
}

export interface DiscoverTokenInput {
  /** The `--token` value. @default undefined (not given) */
  flag?: string;
  /** Where PLEX_TOKEN (and the config/PMS directory variables) are read from. */
  env: NodeJS.ProcessEnv;
  /** Config directory override (see `configDir`). @default derived from `env` */
  configDir?: string;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  /** @default os.homedir() */
  home?: string;
  /**
   * Replaces the platform's preferences search list (tests, or a server with a custom data directory). Paths ending in
   * `.plist` are read as property lists, everything else as Preferences.xml; the registry is not consulted.
   * @default the standard locations for `platform` (see `preferencesLocations`)
   */
  preferencesPaths?: string[];
  /** @default fs.promises.readFile */
  readFile?: ReadFileFn;
  /** Runs `plutil` (macOS binary plists) and `reg` (Windows). @default child_process.execFile with a 5 s timeout */
  exec?: ExecFileFn;
}

export interface DiscoveredToken {
  token?: string;
  source?: TokenSource;
  /** The file (or registry key) the token came from, for config and preferences. */
  path?: string;
  /** The MachineIdentifier next to a token from a server's preferences. */
  machineIdentifier?: string;
  /** Every source consulted before the one that gave the token (all of them when none did), in order. */
  tried: TokenAttempt[];
}

function cleaned(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

async function fromConfig(input: DiscoverTokenInput): Promise<{ token: string; path: string } | TokenAttempt> {
  const location = { configDir: input.configDir, env: input.env, platform: input.platform, home: input.home };
  const path = configPath(location);
  try {
    const config = await readConfig(location);
    if (config.token) return { token: config.token, path };
    if (config.clientIdentifier)
      return { source: 'config', path, outcome: 'no-token', detail: 'no token saved: run `plex-diagnose login`' };
    return { source: 'config', path, outcome: 'not-found', detail: 'no config file' };
  } catch (error) {
    if (error instanceof ConfigFileError) {
      const outcome: TokenAttemptOutcome = error.problem === 'unreadable' ? 'unreadable' : 'malformed';
      const hint =
        error.causeCode === 'EACCES' || error.causeCode === 'EPERM' ? ': run as the user who ran `login`' : '';
      return { source: 'config', path, outcome, detail: `${error.message}${hint}` };
    }
    return { source: 'config', path, outcome: 'unreadable', detail: 'cannot read the config file' };
  }
}

function locationsFor(input: DiscoverTokenInput): PreferencesLocation[] {
  if (input.preferencesPaths) {
    return input.preferencesPaths.map((path) => ({
      kind: path.endsWith('.plist') ? 'plist' : 'xml',
      path,
      label: 'given path',
    }));
  }
  return preferencesLocations({ env: input.env, platform: input.platform, home: input.home });
}

export async function discoverToken(input: DiscoverTokenInput): Promise<DiscoveredToken> {
  const tried: TokenAttempt[] = [];
  const flag = cleaned(input.flag);
  if (flag) return { token: flag, source: 'flag', tried };
  tried.push({
    source: 'flag',
    outcome: input.flag === undefined ? 'not-found' : 'no-token',
    detail: input.flag === undefined ? '--token not given' : '--token is empty',
  });

  const fromEnv = cleaned(input.env.PLEX_TOKEN);
  if (fromEnv) return { token: fromEnv, source: 'env', tried };
  const envSet = input.env.PLEX_TOKEN !== undefined;
  tried.push({
    source: 'env',
    outcome: envSet ? 'no-token' : 'not-found',
    detail: envSet ? 'PLEX_TOKEN is empty' : 'PLEX_TOKEN is not set',
  });

  const config = await fromConfig(input);
  if ('token' in config) return { token: config.token, source: 'config', path: config.path, tried };
  tried.push(config);

  const io = { readFile: input.readFile ?? defaultReadFile, exec: input.exec ?? defaultExecFile };
  for (const location of locationsFor(input)) {
    const result = await readPreferencesLocation(location, io);
    const token = result.found ? cleaned(result.token) : undefined;
    if (token) {
      const id = result.machineIdentifier ? { machineIdentifier: result.machineIdentifier } : {};
      return { token, source: 'preferences', path: location.path, ...id, tried };
    }
    const where = location.label === 'given path' ? '' : `${location.label}: `;
    const failure = result.found ? { outcome: 'no-token' as const, detail: 'PlexOnlineToken is blank' } : result;
    tried.push({
      source: 'preferences',
      path: location.path,
      outcome: failure.outcome,
      detail: `${where}${failure.detail}`,
    });
  }
  return { tried };
}
