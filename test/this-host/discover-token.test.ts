import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverToken, type DiscoveredToken } from '../../src/this-host/discover-token.js';
import {
  preferencesLocations,
  REGISTRY_KEY,
  type ExecFileFn,
  type ReadFileFn,
} from '../../src/this-host/plex-preferences.js';
import { writeConfig } from '../../src/this-host/config-file.js';

const TOKEN = 'prefs-SECRET-tok-777';
const MACHINE = '6f1c1e1ab2c3d4e5f60718293a4b5c6d7e8f9012';

const preferencesXml = (attributes: string): string =>
  `<?xml version="1.0" encoding="utf-8"?>\n<Preferences OldestPreviousVersion="1.32.5.7349" ${attributes} AcceptedEULA="1" PublishServerOnPlexOnlineKey="1"/>\n`;

const plistXml = (entries: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
${entries}
</dict>
</plist>
`;

/** Everything the result exposes besides the token field itself: a leak would show here. */
const visible = (result: DiscoveredToken): string => JSON.stringify({ ...result, token: undefined });

let root: string;
let configDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pd-token-'));
  configDir = join(root, 'config');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writePrefs(dir: string, content: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'Preferences.xml');
  await writeFile(path, content);
  return path;
}

describe('discoverToken: order', () => {
  it('--token wins over everything else, and nothing is recorded as tried', async () => {
    await writeConfig({ clientIdentifier: 'c', token: 'from-config-123' }, { configDir });
    const prefs = await writePrefs(root, preferencesXml(`PlexOnlineToken="${TOKEN}"`));
    const result = await discoverToken({
      flag: 'from-flag-123',
      env: { PLEX_TOKEN: 'from-env-123' },
      configDir,
      preferencesPaths: [prefs],
    });
    expect(result).toEqual({ token: 'from-flag-123', source: 'flag', tried: [] });
  });

  it('PLEX_TOKEN comes next (trimmed), after an empty --token', async () => {
    const result = await discoverToken({
      flag: '  ',
      env: { PLEX_TOKEN: ' from-env-123\n' },
      configDir,
      preferencesPaths: [],
    });
    expect(result.token).toBe('from-env-123');
    expect(result.source).toBe('env');
    expect(result.tried).toEqual([{ source: 'flag', outcome: 'no-token', detail: '--token is empty' }]);
  });

  it('then the config file written by login', async () => {
    await writeConfig({ clientIdentifier: 'c', token: 'from-config-123' }, { configDir });
    const result = await discoverToken({ env: {}, configDir, preferencesPaths: [] });
    expect(result).toMatchObject({ token: 'from-config-123', source: 'config', path: join(configDir, 'config.json') });
    expect(result.tried.map((t) => [t.source, t.outcome])).toEqual([
      ['flag', 'not-found'],
      ['env', 'not-found'],
    ]);
  });

  it('finds the config directory through PLEX_DIAGNOSE_CONFIG_DIR in the given env', async () => {
    await writeConfig({ clientIdentifier: 'c', token: 'from-config-456' }, { configDir });
    const result = await discoverToken({ env: { PLEX_DIAGNOSE_CONFIG_DIR: configDir }, preferencesPaths: [] });
    expect(result).toMatchObject({ token: 'from-config-456', source: 'config' });
  });

  it("then the server's Preferences.xml, returning its MachineIdentifier", async () => {
    await writeConfig({ clientIdentifier: 'c' }, { configDir });
    const prefs = await writePrefs(root, preferencesXml(`MachineIdentifier="${MACHINE}" PlexOnlineToken="${TOKEN}"`));
    const result = await discoverToken({ env: {}, configDir, preferencesPaths: [prefs] });
    expect(result).toMatchObject({ token: TOKEN, source: 'preferences', path: prefs, machineIdentifier: MACHINE });
    expect(result.tried.map((t) => [t.source, t.outcome])).toEqual([
      ['flag', 'not-found'],
      ['env', 'not-found'],
      ['config', 'no-token'],
    ]);
    expect(visible(result)).not.toContain(TOKEN);
  });

  it('finds Preferences.xml through $PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR in the standard search list', async () => {
    const supportDir = join(root, 'Application Support');
    await writePrefs(
      join(supportDir, 'Plex Media Server'),
      preferencesXml(`PlexOnlineToken="${TOKEN}" MachineIdentifier="${MACHINE}"`),
    );
    const result = await discoverToken({
      env: { PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR: supportDir },
      configDir,
      platform: 'linux',
    });
    expect(result).toMatchObject({ token: TOKEN, source: 'preferences', machineIdentifier: MACHINE });
    expect(result.path).toBe(join(supportDir, 'Plex Media Server', 'Preferences.xml'));
  });
});

describe('discoverToken: outcomes of the sources that fail', () => {
  it('records every location in order and keeps looking past not-found, no-token, malformed and unreadable', async () => {
    const missing = join(root, 'missing', 'Preferences.xml');
    const unclaimed = await writePrefs(join(root, 'unclaimed'), preferencesXml(`MachineIdentifier="${MACHINE}"`));
    const html = await writePrefs(
      join(root, 'html'),
      '<!DOCTYPE html><html><head><title>x</title></head><body></body></html>',
    );
    const truncated = await writePrefs(join(root, 'truncated'), `<Preferences PlexOnlineToken="${TOKEN}" Machine`);
    const wrongRoot = await writePrefs(join(root, 'wrong-root'), `<Settings PlexOnlineToken="${TOKEN}"/>`);
    const locked = await writePrefs(join(root, 'locked'), preferencesXml(`PlexOnlineToken="locked-away-123"`));
    const good = await writePrefs(join(root, 'good'), preferencesXml(`PlexOnlineToken="${TOKEN}"`));
    // Tests run as root in CI, where chmod 000 does not stop a read: inject the EACCES instead.
    const readFileWithLock: ReadFileFn = async (path) => {
      if (path === locked)
        throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
      return readFile(path);
    };
    const result = await discoverToken({
      env: {},
      configDir,
      preferencesPaths: [missing, unclaimed, html, truncated, wrongRoot, locked, good],
      readFile: readFileWithLock,
    });
    expect(result).toMatchObject({ token: TOKEN, source: 'preferences', path: good });
    const preferenceAttempts = result.tried.filter((t) => t.source === 'preferences');
    expect(preferenceAttempts.map((t) => [t.path, t.outcome])).toEqual([
      [missing, 'not-found'],
      [unclaimed, 'no-token'],
      [html, 'malformed'],
      [truncated, 'malformed'],
      [wrongRoot, 'malformed'],
      [locked, 'unreadable'],
    ]);
    expect(preferenceAttempts[1]!.detail).toMatch(/not signed in/);
    expect(preferenceAttempts[2]!.detail).toContain('html');
    expect(preferenceAttempts[5]!.detail).toContain('run as the plex user or with sudo');
    expect(result.tried.find((t) => t.source === 'config')).toMatchObject({ outcome: 'not-found' });
    expect(visible(result)).not.toContain(TOKEN);
  });

  it('reports no token at all with every attempt when nothing has one', async () => {
    const result = await discoverToken({
      env: { PLEX_TOKEN: '' },
      configDir,
      preferencesPaths: [join(root, 'nope.xml')],
    });
    expect(result.token).toBeUndefined();
    expect(result.source).toBeUndefined();
    expect(result.tried.map((t) => `${t.source}:${t.outcome}`)).toEqual([
      'flag:not-found',
      'env:no-token',
      'config:not-found',
      'preferences:not-found',
    ]);
  });

  it('a malformed config file is recorded without its content and the search goes on', async () => {
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'config.json'), `{"token":"${TOKEN}",`);
    const prefs = await writePrefs(root, preferencesXml(`PlexOnlineToken="other-token-999"`));
    const result = await discoverToken({ env: {}, configDir, preferencesPaths: [prefs] });
    expect(result.token).toBe('other-token-999');
    const attempt = result.tried.find((t) => t.source === 'config');
    expect(attempt).toMatchObject({ outcome: 'malformed', path: join(configDir, 'config.json') });
    expect(JSON.stringify(result.tried)).not.toContain(TOKEN);
  });

  it('an unreadable config directory entry is "unreadable"', async () => {
    await mkdir(join(configDir, 'config.json'), { recursive: true });
    const result = await discoverToken({ env: {}, configDir, preferencesPaths: [] });
    expect(result.tried.find((t) => t.source === 'config')).toMatchObject({ outcome: 'unreadable' });
  });

  it('a reader that throws something odd still yields a result', async () => {
    const result = await discoverToken({
      env: {},
      configDir,
      preferencesPaths: [join(root, 'x.xml')],
      readFile: async () => {
        throw new TypeError(`boom ${TOKEN}`);
      },
    });
    expect(result.tried.at(-1)).toMatchObject({ outcome: 'unreadable' });
    expect(visible(result)).not.toContain(TOKEN);
  });
});

describe('macOS property list', () => {
  const plistPath = (home: string): string => join(home, 'Library', 'Preferences', 'com.plexapp.plexmediaserver.plist');

  it('reads PlexOnlineToken from the XML plist in ~/Library/Preferences, pairing keys across non-string values', async () => {
    const home = join(root, 'home');
    await mkdir(join(home, 'Library', 'Preferences'), { recursive: true });
    await writeFile(
      plistPath(home),
      plistXml(`\t<key>AcceptedEULA</key>\n\t<true/>\n\t<key>MachineIdentifier</key>\n\t<string>${MACHINE}</string>
\t<key>Nested</key>\n\t<dict><key>PlexOnlineToken</key><string>nested-wrong</string></dict>
\t<key>ManualPortMappingPort</key>\n\t<integer>32400</integer>\n\t<key>PlexOnlineToken</key>\n\t<string>${TOKEN}</string>`),
    );
    const result = await discoverToken({ env: {}, configDir, platform: 'darwin', home });
    expect(result).toMatchObject({
      token: TOKEN,
      source: 'preferences',
      path: plistPath(home),
      machineIdentifier: MACHINE,
    });
  });

  it('converts a binary plist with plutil', async () => {
    const home = join(root, 'home');
    await mkdir(join(home, 'Library', 'Preferences'), { recursive: true });
    await writeFile(plistPath(home), Buffer.concat([Buffer.from('bplist00'), Buffer.from([0xd1, 0x01, 0x02])]));
    const calls: string[][] = [];
    const exec: ExecFileFn = async (file, args) => {
      calls.push([file, ...args]);
      return { exitCode: 0, stdout: plistXml(`<key>PlexOnlineToken</key><string>${TOKEN}</string>`) };
    };
    const result = await discoverToken({ env: {}, configDir, platform: 'darwin', home, exec });
    expect(result).toMatchObject({ token: TOKEN, source: 'preferences' });
    expect(calls).toEqual([['plutil', '-convert', 'xml1', '-o', '-', plistPath(home)]]);
  });

  it('a binary plist without plutil is "unreadable" with a hint; a failed conversion too', async () => {
    const home = join(root, 'home');
    await mkdir(join(home, 'Library', 'Preferences'), { recursive: true });
    await writeFile(plistPath(home), Buffer.from('bplist00\u0000\u0001'));
    const missing: ExecFileFn = async () => {
      throw Object.assign(new Error('spawn plutil ENOENT'), { code: 'ENOENT' });
    };
    const withoutPlutil = await discoverToken({ env: {}, configDir, platform: 'darwin', home, exec: missing });
    expect(withoutPlutil.tried.at(-1)).toMatchObject({ source: 'preferences', outcome: 'unreadable' });
    expect(withoutPlutil.tried.at(-1)!.detail).toContain('plutil is not available');
    const failing: ExecFileFn = async () => ({ exitCode: 1, stdout: '' });
    const failed = await discoverToken({ env: {}, configDir, platform: 'darwin', home, exec: failing });
    expect(failed.tried.at(-1)).toMatchObject({ outcome: 'unreadable' });
  });

  it('a plist that is not a dict is "malformed"; a plist without the key is "no-token"', async () => {
    const notDict = join(root, 'a.plist');
    const noKey = join(root, 'b.plist');
    await writeFile(notDict, '<?xml version="1.0"?><plist version="1.0"><array><string>x</string></array></plist>');
    await writeFile(noKey, plistXml('<key>MachineIdentifier</key><string>m</string>'));
    const result = await discoverToken({ env: {}, configDir, preferencesPaths: [notDict, noKey] });
    expect(result.tried.slice(-2).map((t) => t.outcome)).toEqual(['malformed', 'no-token']);
  });
});

describe('Windows', () => {
  const regOutput = `\r\nHKEY_CURRENT_USER\\Software\\Plex, Inc.\\Plex Media Server\r\n    AcceptedEULA    REG_DWORD    0x1\r\n    MachineIdentifier    REG_SZ    ${MACHINE}\r\n    PlexOnlineToken    REG_SZ    ${TOKEN}\r\n\r\n`;

  it('reads the token from the registry with reg query', async () => {
    const calls: string[][] = [];
    const exec: ExecFileFn = async (file, args) => {
      calls.push([file, ...args]);
      return { exitCode: 0, stdout: regOutput };
    };
    const result = await discoverToken({
      env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
      configDir,
      platform: 'win32',
      home: 'C:\\Users\\u',
      exec,
    });
    expect(result).toMatchObject({
      token: TOKEN,
      source: 'preferences',
      path: REGISTRY_KEY,
      machineIdentifier: MACHINE,
    });
    expect(calls).toEqual([['reg', 'query', 'HKCU\\Software\\Plex, Inc.\\Plex Media Server']]);
  });

  it('falls back to %LOCALAPPDATA%\\Plex Media Server\\Preferences.xml when the key is missing', async () => {
    const exec: ExecFileFn = async () => ({ exitCode: 1, stdout: '' });
    const expected = 'C:\\Users\\u\\AppData\\Local\\Plex Media Server\\Preferences.xml';
    const readFileWin: ReadFileFn = async (path) => {
      if (path === expected) return Buffer.from(preferencesXml(`PlexOnlineToken="${TOKEN}"`));
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    const result = await discoverToken({
      env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
      configDir,
      platform: 'win32',
      exec,
      readFile: readFileWin,
    });
    expect(result).toMatchObject({ token: TOKEN, path: expected });
    expect(result.tried.at(-1)).toMatchObject({ path: REGISTRY_KEY, outcome: 'not-found' });
  });

  it('records a missing reg.exe and a key without the value', async () => {
    const missing: ExecFileFn = async () => {
      throw Object.assign(new Error('spawn reg ENOENT'), { code: 'ENOENT' });
    };
    const noReg = await discoverToken({
      env: {},
      configDir,
      platform: 'win32',
      home: 'C:\\Users\\u',
      exec: missing,
      readFile: async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOENT' })),
    });
    expect(noReg.tried.filter((t) => t.source === 'preferences').map((t) => t.outcome)).toEqual([
      'not-found',
      'not-found',
    ]);
    expect(noReg.tried.find((t) => t.path === REGISTRY_KEY)!.detail).toContain('reg.exe is not available');
    const noValue: ExecFileFn = async () => ({
      exitCode: 0,
      stdout: regOutput.replace(/ {4}PlexOnlineToken.*\r\n/, ''),
    });
    const unclaimed = await discoverToken({
      env: {},
      configDir,
      platform: 'win32',
      home: 'C:\\Users\\u',
      exec: noValue,
      readFile: async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOENT' })),
    });
    expect(unclaimed.tried.find((t) => t.path === REGISTRY_KEY)).toMatchObject({ outcome: 'no-token' });
  });
});

describe('preferencesLocations', () => {
  it('lists the Linux package, Docker, Snap, FreeBSD and Synology paths after the PMS environment variable', () => {
    const paths = preferencesLocations({
      env: { PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR: '/srv/plex' },
      platform: 'linux',
      home: '/root',
    }).map((l) => l.path);
    expect(paths).toEqual([
      '/srv/plex/Plex Media Server/Preferences.xml',
      '/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Preferences.xml',
      '/config/Library/Application Support/Plex Media Server/Preferences.xml',
      '/var/snap/plexmediaserver/common/Library/Application Support/Plex Media Server/Preferences.xml',
      '/usr/local/plexdata/Plex Media Server/Preferences.xml',
      '/var/packages/PlexMediaServer/shares/PlexMediaServer/AppData/Plex Media Server/Preferences.xml',
    ]);
  });

  it('uses the plist on macOS and the registry then %LOCALAPPDATA% on Windows', () => {
    expect(preferencesLocations({ env: {}, platform: 'darwin', home: '/Users/u' })).toEqual([
      { kind: 'plist', path: '/Users/u/Library/Preferences/com.plexapp.plexmediaserver.plist', label: 'macOS' },
    ]);
    const windows = preferencesLocations({ env: {}, platform: 'win32', home: 'C:\\Users\\u' });
    expect(windows.map((l) => [l.kind, l.path])).toEqual([
      ['registry', REGISTRY_KEY],
      ['xml', 'C:\\Users\\u\\AppData\\Local\\Plex Media Server\\Preferences.xml'],
    ]);
  });
});
