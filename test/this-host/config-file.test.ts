import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigFileError,
  configDir,
  configPath,
  getOrCreateClientIdentifier,
  readConfig,
  updateConfig,
  writeConfig,
} from '../../src/this-host/config-file.js';
import { isPlexDiagnoseError } from '../../src/core/errors.js';

const SECRET = 'cfg-SECRET-token-4242';
const posixOnly = process.platform === 'win32' ? it.skip : it;
const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pd-config-'));
  dir = join(root, 'nested', 'plex-diagnose');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('configDir', () => {
  it('prefers PLEX_DIAGNOSE_CONFIG_DIR, then XDG_CONFIG_HOME, then the platform default', () => {
    const env = { PLEX_DIAGNOSE_CONFIG_DIR: '/custom/dir', XDG_CONFIG_HOME: '/xdg' };
    expect(configDir({ env, platform: 'linux', home: '/home/u' })).toBe('/custom/dir');
    expect(configDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/u' })).toBe(
      '/xdg/plex-diagnose',
    );
    expect(configDir({ env: {}, platform: 'linux', home: '/home/u' })).toBe('/home/u/.config/plex-diagnose');
    expect(configDir({ env: {}, platform: 'darwin', home: '/Users/u' })).toBe('/Users/u/.config/plex-diagnose');
  });

  it('ignores a relative XDG_CONFIG_HOME, as the XDG spec requires', () => {
    expect(configDir({ env: { XDG_CONFIG_HOME: 'relative/dir' }, platform: 'linux', home: '/home/u' })).toBe(
      '/home/u/.config/plex-diagnose',
    );
  });

  it('uses %APPDATA% on Windows, with a fallback under the profile', () => {
    expect(
      configDir({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\u' }),
    ).toBe('C:\\Users\\u\\AppData\\Roaming\\plex-diagnose');
    expect(configDir({ env: {}, platform: 'win32', home: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\plex-diagnose',
    );
    expect(configPath({ env: {}, platform: 'win32', home: 'C:\\Users\\u' })).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\plex-diagnose\\config.json',
    );
  });

  it('an explicit configDir wins over the environment', () => {
    expect(configDir({ configDir: '/explicit', env: { PLEX_DIAGNOSE_CONFIG_DIR: '/env' } })).toBe('/explicit');
  });
});

describe('readConfig', () => {
  it('returns an empty config when neither the file nor its directory exists', async () => {
    expect(await readConfig({ configDir: dir })).toEqual({});
  });

  it('reads what writeConfig wrote, through the environment variable the CLI uses', async () => {
    await writeConfig({ clientIdentifier: 'id-1', token: SECRET, account: { username: 'alice' } }, { configDir: dir });
    const config = await readConfig({ env: { PLEX_DIAGNOSE_CONFIG_DIR: dir } });
    expect(config).toEqual({ clientIdentifier: 'id-1', token: SECRET, account: { username: 'alice' } });
  });

  it('names the file but never echoes its content when it is not JSON', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), `{"token": "${SECRET}", oops`);
    const error = await readConfig({ configDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(isPlexDiagnoseError(error)).toBe(true);
    const configError = error as ConfigFileError;
    expect(configError.code).toBe('PLEXDIAG_USAGE');
    expect(configError.problem).toBe('malformed-json');
    expect(configError.message).toContain(join(dir, 'config.json'));
    expect(
      JSON.stringify({ ...configError, message: configError.message, cause: String(configError.cause) }),
    ).not.toContain(SECRET);
  });

  it('rejects a wrong shape with the failing field, not its value', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ clientIdentifier: 42, token: SECRET }));
    const error = (await readConfig({ configDir: dir }).catch((e: unknown) => e)) as ConfigFileError;
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.problem).toBe('invalid-shape');
    expect(error.message).toContain('clientIdentifier');
    expect(error.message).not.toContain(SECRET);
  });

  it('reports a config path that cannot be read as unreadable with the system code', async () => {
    await mkdir(join(dir, 'config.json'), { recursive: true }); // a directory where the file should be: EISDIR
    const error = (await readConfig({ configDir: dir }).catch((e: unknown) => e)) as ConfigFileError;
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.problem).toBe('unreadable');
    expect(error.causeCode).toBe('EISDIR');
  });
});

describe('writeConfig', () => {
  posixOnly('creates the directory 0700 and the file 0600', async () => {
    const file = await writeConfig({ clientIdentifier: 'id-2', token: SECRET }, { configDir: dir });
    expect(file).toBe(join(dir, 'config.json'));
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(file)).toBe(0o600);
  });

  posixOnly('tightens an existing directory and file that were created with wider modes', async () => {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ clientIdentifier: 'old' }));
    await chmod(join(dir, 'config.json'), 0o644);
    await writeConfig({ clientIdentifier: 'id-3', token: SECRET }, { configDir: dir });
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(dir, 'config.json'))).toBe(0o600);
  });

  it('leaves no temp file behind and writes pretty JSON', async () => {
    await writeConfig({ clientIdentifier: 'id-4' }, { configDir: dir });
    expect(await readdir(dir)).toEqual(['config.json']);
    expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe('{\n  "clientIdentifier": "id-4"\n}\n');
  });

  it('refuses to write a config that the next read would reject, leaving the old one intact', async () => {
    await writeConfig({ clientIdentifier: 'keep-me' }, { configDir: dir });
    await expect(writeConfig({ clientIdentifier: '' }, { configDir: dir })).rejects.toThrow();
    expect(await readConfig({ configDir: dir })).toEqual({ clientIdentifier: 'keep-me' });
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('concurrent writes each replace the file whole (atomic rename): the result is always one valid config', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        writeConfig({ clientIdentifier: `id-${i}`, token: `${SECRET}-${i}` }, { configDir: dir }),
      ),
    );
    const config = await readConfig({ configDir: dir });
    const n = config.clientIdentifier?.slice(3);
    expect(config.token).toBe(`${SECRET}-${n}`);
    expect(await readdir(dir)).toEqual(['config.json']);
  });
});

describe('updateConfig and getOrCreateClientIdentifier', () => {
  it('creates a UUID once and returns the same one afterwards', async () => {
    const first = await getOrCreateClientIdentifier({ configDir: dir });
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await getOrCreateClientIdentifier({ configDir: dir })).toBe(first);
    expect((await readConfig({ configDir: dir })).clientIdentifier).toBe(first);
  });

  it('keeps the existing identifier, token and unknown fields when a login updates the config', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ clientIdentifier: 'stable', futureField: { a: 1 } }));
    const now = (): Date => new Date('2026-11-25T10:00:00Z');
    const next = await updateConfig((c) => ({ ...c, token: SECRET, account: { username: 'bob' } }), {
      configDir: dir,
      now,
    });
    expect(next).toMatchObject({ clientIdentifier: 'stable', token: SECRET, savedAt: '2026-11-25T10:00:00.000Z' });
    expect(await readConfig({ configDir: dir })).toEqual({
      clientIdentifier: 'stable',
      futureField: { a: 1 },
      token: SECRET,
      account: { username: 'bob' },
      savedAt: '2026-11-25T10:00:00.000Z',
    });
    expect(await getOrCreateClientIdentifier({ configDir: dir })).toBe('stable');
  });
});
