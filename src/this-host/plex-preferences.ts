/**
 * Where a Plex Media Server keeps its own preferences (and so its `PlexOnlineToken`), and how to read each kind:
 * Preferences.xml on Linux/BSD/NAS/Docker, an XML or binary plist on macOS, the registry on Windows.
 * Each reader returns a result and never throws; the token never appears in a detail string.
 *
 * Locations: https://support.plex.tv/articles/202915258-where-is-the-plex-media-server-data-directory-located/
 * (Docker: plexinc/pms-docker and linuxserver/plex both mount /config; docs/reference/plex-api.md for the keys).
 */
import { execFile } from 'node:child_process';
import { readFile as fsReadFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { decodeBody } from '../http/decode.js';
import { isDecodeError } from '../core/errors.js';
import { plexStringOpt } from '../http/plex-values.js';
import { isBinaryPlist, PlistFormatError, readPlistScalars } from './plist.js';

/** 'other-server': a server's own token, not used because the target is another server (see cli/target.ts). */
export type TokenAttemptOutcome = 'not-found' | 'no-token' | 'unreadable' | 'malformed' | 'other-server';

export type PreferencesKind = 'xml' | 'plist' | 'registry';

export interface PreferencesLocation {
  kind: PreferencesKind;
  /** File path, or the registry key for 'registry'. */
  path: string;
  /** Which install this location belongs to ("Docker (/config)"), for messages. */
  label: string;
}

/** Reads a whole file. Injectable so tests can produce EACCES while running as root. */
export type ReadFileFn = (path: string) => Promise<Buffer>;

/** Runs a program without a shell. Rejects only when it cannot be started (e.g. ENOENT: not installed). */
export type ExecFileFn = (
  file: string,
  args: readonly string[],
) => Promise<{ exitCode: number | null; stdout: string }>;

export type PreferencesReadResult =
  | { found: true; token: string; machineIdentifier?: string }
  | { found: false; outcome: TokenAttemptOutcome; detail: string; machineIdentifier?: string };

export const REGISTRY_KEY = 'HKCU\\Software\\Plex, Inc.\\Plex Media Server';
const PERMISSION_HINT = 'run as the plex user or with sudo';
const PMS_DIR = 'Plex Media Server';

export interface LocationOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  /** @default os.homedir() */
  home?: string;
}

/** The standard locations for this platform, in search order. */
export function preferencesLocations(options: LocationOptions = {}): PreferencesLocation[] {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? homedir();
  const path = platform === 'win32' ? win32 : posix;
  const locations: PreferencesLocation[] = [];
  // The variable PMS itself honours for its data directory (set by the Linux packages' service files).
  const supportDir = env.PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR;
  if (supportDir) {
    locations.push({
      kind: 'xml',
      path: path.join(supportDir, PMS_DIR, 'Preferences.xml'),
      label: '$PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR',
    });
  }
  if (platform === 'win32') {
    const localAppData = env.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
    locations.push({ kind: 'registry', path: REGISTRY_KEY, label: 'Windows registry' });
    locations.push({
      kind: 'xml',
      path: path.join(localAppData, PMS_DIR, 'Preferences.xml'),
      label: 'Windows (%LOCALAPPDATA%)',
    });
    return locations;
  }
  if (platform === 'darwin') {
    locations.push({
      kind: 'plist',
      path: path.join(home, 'Library', 'Preferences', 'com.plexapp.plexmediaserver.plist'),
      label: 'macOS',
    });
    return locations;
  }
  const appSupport = (root: string): string =>
    path.join(root, 'Library', 'Application Support', PMS_DIR, 'Preferences.xml');
  locations.push(
    { kind: 'xml', path: appSupport('/var/lib/plexmediaserver'), label: 'Linux package' },
    { kind: 'xml', path: appSupport('/config'), label: 'Docker (/config)' },
    { kind: 'xml', path: appSupport('/var/snap/plexmediaserver/common'), label: 'Snap' },
    { kind: 'xml', path: path.join('/usr/local/plexdata', PMS_DIR, 'Preferences.xml'), label: 'FreeBSD / TrueNAS' },
    {
      kind: 'xml',
      path: path.join('/var/packages/PlexMediaServer/shares/PlexMediaServer/AppData', PMS_DIR, 'Preferences.xml'),
      label: 'Synology DSM 7',
    },
  );
  return locations;
}

export const defaultReadFile: ReadFileFn = (path) => fsReadFile(path);

export const defaultExecFile: ExecFileFn = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: 5000, maxBuffer: 1024 * 1024, windowsHide: true, encoding: 'utf8' },
      (error, stdout) => {
        const code = (error as { code?: unknown } | null)?.code;
        // execFile's error is an Error (ExecFileException), typed as an Omit<> intersection the rule cannot see through.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see the comment above
        if (typeof code === 'string') return reject(error); // could not start (ENOENT, EACCES)
        resolve({ exitCode: error ? (typeof code === 'number' ? code : null) : 0, stdout });
      },
    );
  });

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failed read as an outcome; EACCES gets the hint that fixes it. */
function readFailure(error: unknown): PreferencesReadResult {
  const code = errnoOf(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') return { found: false, outcome: 'not-found', detail: 'no such file' };
  if (code === 'EACCES' || code === 'EPERM')
    return { found: false, outcome: 'unreadable', detail: `permission denied (${code}): ${PERMISSION_HINT}` };
  return { found: false, outcome: 'unreadable', detail: `cannot read it (${code ?? 'unknown error'})` };
}

function fromValues(token: string | undefined, machineIdentifier: string | undefined): PreferencesReadResult {
  const id = machineIdentifier ? { machineIdentifier } : {};
  if (token) return { found: true, token, ...id };
  return {
    found: false,
    outcome: 'no-token',
    detail: 'no PlexOnlineToken: this server is not signed in to a Plex account (claim it first)',
    ...id,
  };
}

const PreferencesDocument = z.object({
  Preferences: z.looseObject({ PlexOnlineToken: plexStringOpt, MachineIdentifier: plexStringOpt }),
});

/** `PlexOnlineToken` and `MachineIdentifier` are attributes of the root `<Preferences .../>` element. */
export function parsePreferencesXml(content: Buffer): PreferencesReadResult {
  let data: unknown;
  try {
    data = decodeBody(content);
  } catch (error) {
    // Only the reason: the decoder's message can quote the file, and the file holds the token.
    const reason = isDecodeError(error) ? error.reason : 'unreadable';
    return { found: false, outcome: 'malformed', detail: `not a valid Preferences.xml (${reason})` };
  }
  const parsed = PreferencesDocument.safeParse(data);
  if (!parsed.success)
    return { found: false, outcome: 'malformed', detail: 'not a Preferences.xml (no <Preferences> root element)' };
  return fromValues(parsed.data.Preferences.PlexOnlineToken, parsed.data.Preferences.MachineIdentifier);
}

function plistValues(text: string): PreferencesReadResult {
  try {
    const values = readPlistScalars(text);
    return fromValues(values.get('PlexOnlineToken') || undefined, values.get('MachineIdentifier') || undefined);
  } catch (error) {
    const why = error instanceof PlistFormatError ? error.message : 'unparsable';
    return { found: false, outcome: 'malformed', detail: `not a valid property list (${why})` };
  }
}

async function readPlist(path: string, readFile: ReadFileFn, exec: ExecFileFn): Promise<PreferencesReadResult> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    return readFailure(error);
  }
  if (!isBinaryPlist(content)) return plistValues(content.toString('utf8'));
  // Recent macOS writes binary plists; plutil (always present on macOS) converts them to XML on stdout.
  try {
    const converted = await exec('plutil', ['-convert', 'xml1', '-o', '-', path]);
    if (converted.exitCode !== 0)
      return {
        found: false,
        outcome: 'unreadable',
        detail: `binary plist; plutil could not convert it (exit ${converted.exitCode})`,
      };
    return plistValues(converted.stdout);
  } catch {
    return {
      found: false,
      outcome: 'unreadable',
      detail:
        'binary plist and plutil is not available: run on the Mac itself, or `defaults read com.plexapp.plexmediaserver PlexOnlineToken`',
    };
  }
}

/** `reg query` prints `    <name>    REG_SZ    <value>` lines under the key. */
function parseRegQuery(stdout: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^\s+(\S+)\s+REG_[A-Z_]+\s+(.*?)\s*$/.exec(line);
    if (match) values.set(match[1]!, match[2]!);
  }
  return values;
}

async function readRegistry(exec: ExecFileFn): Promise<PreferencesReadResult> {
  let result: { exitCode: number | null; stdout: string };
  try {
    result = await exec('reg', ['query', REGISTRY_KEY]);
  } catch {
    return { found: false, outcome: 'not-found', detail: 'reg.exe is not available' };
  }
  // reg.exe exits 1 with "unable to find the specified registry key" when PMS was never installed for this user.
  if (result.exitCode !== 0)
    return { found: false, outcome: 'not-found', detail: `no such registry key (reg exit ${result.exitCode})` };
  const values = parseRegQuery(result.stdout);
  return fromValues(values.get('PlexOnlineToken') || undefined, values.get('MachineIdentifier') || undefined);
}

/** Reads one location. Never throws. */
export async function readPreferencesLocation(
  location: PreferencesLocation,
  io: { readFile: ReadFileFn; exec: ExecFileFn },
): Promise<PreferencesReadResult> {
  try {
    if (location.kind === 'registry') return await readRegistry(io.exec);
    if (location.kind === 'plist') return await readPlist(location.path, io.readFile, io.exec);
    let content: Buffer;
    try {
      content = await io.readFile(location.path);
    } catch (error) {
      return readFailure(error);
    }
    return parsePreferencesXml(content);
  } catch (error) {
    // An injected reader that misbehaves: still a result, and still without content.
    return {
      found: false,
      outcome: 'unreadable',
      detail: `unexpected error (${errnoOf(error) ?? (error as Error)?.name ?? 'unknown'})`,
    };
  }
}
