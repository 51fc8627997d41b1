/**
 * The user config file written by `plex-diagnose login`: a stable client identifier and, after login, the token.
 *
 * It holds a full account credential, so: the directory is 0700 and the file 0600 (tightened if they already exist
 * with wider modes), writes are atomic (temp file + rename, so a crash never leaves half a file), and read errors name
 * the file but never echo its content (Node's JSON.parse message quotes the text it choked on).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { writePrivateFile } from '../core/util/private-file.js';

export const CONFIG_FILE_NAME = 'config.json';

export const CliConfig = z.looseObject({
  /** Our X-Plex-Client-Identifier: stable, so plex.tv shows one device for every run instead of one per run. */
  clientIdentifier: z.string().min(1),
  /** The plex.tv account token from `login`. */
  token: z.string().min(1).optional(),
  account: z.looseObject({ username: z.string().optional() }).optional(),
  /** ISO time of the last write. */
  savedAt: z.string().optional(),
});
export type CliConfig = z.infer<typeof CliConfig>;

/** What `readConfig` returns: `{}` when there is no file yet. */
export type StoredConfig = Partial<CliConfig>;

export interface ConfigLocationOptions {
  /** Explicit directory; wins over everything else. @default derived from `env` and `platform` */
  configDir?: string;
  /** Environment to read PLEX_DIAGNOSE_CONFIG_DIR, XDG_CONFIG_HOME and APPDATA from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Decides the default location and path syntax. @default process.platform */
  platform?: NodeJS.Platform;
  /** The home directory. @default os.homedir() */
  home?: string;
}

export type ConfigFileProblem = 'malformed-json' | 'invalid-shape' | 'unreadable';

/** The config file exists but cannot be used. A usage/config error (exit code 2), never carrying the file's content. */
export class ConfigFileError extends UsageError {
  override name = 'ConfigFileError';
  readonly path: string;
  readonly problem: ConfigFileProblem;
  /** The system error code for 'unreadable' (EACCES, EISDIR, ...). */
  readonly causeCode: string | undefined;

  constructor(message: string, details: { path: string; problem: ConfigFileProblem; causeCode?: string }) {
    super(message);
    this.path = details.path;
    this.problem = details.problem;
    this.causeCode = details.causeCode;
  }
}

/**
 * The config directory: `$PLEX_DIAGNOSE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/plex-diagnose`, else
 * `%APPDATA%\plex-diagnose` on Windows and `~/.config/plex-diagnose` elsewhere (macOS included: CLI tools there
 * conventionally follow XDG rather than ~/Library/Application Support).
 */
export function configDir(options: ConfigLocationOptions = {}): string {
  if (options.configDir) return options.configDir;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  if (env.PLEX_DIAGNOSE_CONFIG_DIR) return env.PLEX_DIAGNOSE_CONFIG_DIR;
  // The XDG spec says relative values are invalid and must be ignored.
  if (env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME))
    return path.join(env.XDG_CONFIG_HOME, 'plex-diagnose');
  const home = options.home ?? homedir();
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'plex-diagnose');
  return path.join(home, '.config', 'plex-diagnose');
}

export function configPath(options: ConfigLocationOptions = {}): string {
  const platform = options.platform ?? process.platform;
  return (platform === 'win32' ? win32 : posix).join(configDir(options), CONFIG_FILE_NAME);
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Reads and validates the config file. Missing file (or directory) → `{}`; anything unusable → ConfigFileError. */
export async function readConfig(options: ConfigLocationOptions = {}): Promise<StoredConfig> {
  const file = configPath(options);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return {};
    throw new ConfigFileError(`cannot read the config file ${file} (${code ?? 'unknown error'})`, {
      path: file,
      problem: 'unreadable',
      causeCode: code,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigFileError(
      `the config file ${file} is not valid JSON; delete it or run \`plex-diagnose login\` again`,
      {
        path: file,
        problem: 'malformed-json',
      },
    );
  }
  const parsed = CliConfig.safeParse(data);
  if (!parsed.success) {
    // zod messages name the expected type, never the value, so they are safe to show.
    const where = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new ConfigFileError(
      `the config file ${file} has an unexpected shape (${where}); delete it or run \`plex-diagnose login\` again`,
      {
        path: file,
        problem: 'invalid-shape',
      },
    );
  }
  return parsed.data;
}

/**
 * Writes the config atomically with mode 0600 and returns its path. The content is validated first, so a bad
 * write can never produce a file that the next read rejects.
 */
export async function writeConfig(config: CliConfig, options: ConfigLocationOptions = {}): Promise<string> {
  const valid = CliConfig.parse(config);
  const file = configPath(options);
  // The directory is this tool's own (dirname of the file), created 0700; the file 0600 from creation on.
  await writePrivateFile(file, `${JSON.stringify(valid, null, 2)}\n`, {
    platform: options.platform ?? process.platform,
  });
  return file;
}

export interface UpdateConfigOptions extends ConfigLocationOptions {
  /** Clock for `savedAt`. @default () => new Date() */
  now?: () => Date;
}

/**
 * Read-modify-write: applies `change` to the current config (creating a client identifier when there is none yet)
 * and writes the result. `savedAt` is set from `now`.
 */
export async function updateConfig(
  change: (current: CliConfig) => CliConfig,
  options: UpdateConfigOptions = {},
): Promise<CliConfig> {
  const current = await readConfig(options);
  const base: CliConfig = { ...current, clientIdentifier: current.clientIdentifier ?? randomUUID() };
  const next = { ...change(base), savedAt: (options.now ?? (() => new Date()))().toISOString() };
  await writeConfig(next, options);
  return next;
}

/**
 * The stable X-Plex-Client-Identifier of this installation, created and persisted on first use. plex.tv lists
 * every identifier it sees as a device, so a fresh UUID per run would litter the user's device list.
 * Throws when the config directory cannot be written; `clientIdentifierOrEphemeral` falls back instead.
 */
export async function getOrCreateClientIdentifier(options: ConfigLocationOptions = {}): Promise<string> {
  const current = await readConfig(options);
  if (current.clientIdentifier) return current.clientIdentifier;
  const created = await updateConfig((config) => config, options);
  return created.clientIdentifier;
}

export interface ClientIdentifierResult {
  clientIdentifier: string;
  /** False when it could not be saved: a new one for this run only. */
  persisted: boolean;
  /** Why it could not be saved ("cannot write /x/config.json (EROFS)"), when it could not. */
  problem?: string;
}

/**
 * `getOrCreateClientIdentifier`, but a config directory that cannot be written (read-only or full disk, HOME unset or
 * unwritable, a file in the way: common on NAS boxes) costs only the stable identifier: an ephemeral one is used for
 * this run, with the reason, instead of failing a diagnosis that needs no file at all. An unreadable or malformed
 * config file still throws its ConfigFileError (it may hold the login the user expects to be used).
 */
export async function clientIdentifierOrEphemeral(
  options: ConfigLocationOptions = {},
): Promise<ClientIdentifierResult> {
  try {
    const current = await readConfig(options);
    if (current.clientIdentifier) return { clientIdentifier: current.clientIdentifier, persisted: true };
    const created = await updateConfig((config) => config, options);
    return { clientIdentifier: created.clientIdentifier, persisted: true };
  } catch (error) {
    if (error instanceof ConfigFileError) throw error;
    let where = 'the config directory';
    try {
      where = configPath(options);
    } catch {
      // No home directory to name (os.homedir() failed): the generic words stay.
    }
    return {
      clientIdentifier: randomUUID(),
      persisted: false,
      problem: `cannot write ${where} (${errnoOf(error) ?? 'unknown error'})`,
    };
  }
}
