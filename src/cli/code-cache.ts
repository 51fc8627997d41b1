/**
 * Runs the CommonJS CLI bundle with a V8 code cache, as v8-compile-cache does (Node 20 has no
 * `module.enableCompileCache`): the bundle is compiled through `vm.Script` with the `cachedData` a previous run left
 * under the user's cache directory, and a run without a usable cache writes one when it exits. Measured: compiling
 * the bundle was the largest single cost between process start and the first request after the schemas went lazy
 * (docs/performance.md, issue 17 start-up).
 *
 * The cache is an optimisation and nothing may depend on it: a missing, foreign (another Node or bundle), stale,
 * truncated or corrupt file, or an unwritable directory, only means compiling from source. V8 itself rejects a cache
 * of another version, flags or source, but a release build does not verify the payload's checksum, so the file carries
 * our own SHA-1 of the payload and is checked before V8 sees it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script, constants as vmConstants } from 'node:vm';

const MAGIC = Buffer.from('PDCC1\n');
const DIGEST_BYTES = 20;

/** Where caches go on this platform (XDG on Linux and the BSDs). Undefined when no home directory is known. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'plex-diagnose');
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'plex-diagnose');
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches', 'plex-diagnose');
  return join(home, '.cache', 'plex-diagnose');
}

/** The cache file for this bundle, Node and architecture: a new build or Node gets a new file. */
export function codeCacheFile(cacheDir: string, bundle: string, version: string): string {
  const { size, mtimeMs } = statSync(bundle);
  const key = `${version}-${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}`.replace(/[^\w.-]/g, '_');
  return join(cacheDir, `cli-${key}.v8cache`);
}

/** The verified payload of a cache file, or undefined (missing, truncated, not ours, or corrupt). */
export function readCodeCache(file: string): Buffer | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    return undefined;
  }
  const start = MAGIC.length + DIGEST_BYTES;
  if (raw.length <= start || !raw.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const payload = raw.subarray(start);
  const digest = createHash('sha1').update(payload).digest();
  return digest.equals(raw.subarray(MAGIC.length, start)) ? payload : undefined;
}

/**
 * One level, never `recursive`: Node's recursive mkdir loops forever where mkdir answers ENOENT for an existing parent
 * (under /proc, e.g. XDG_CACHE_HOME=/proc/x). An existing directory is fine; any other failure surfaces at the write.
 */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    // exists, or cannot be made: the write below says which
  }
}

/** Writes a cache file atomically (temp file, then rename); any failure is ignored: the cache is optional. */
export function writeCodeCache(file: string, payload: Buffer): boolean {
  try {
    makeDir(dirname(dirname(file)));
    makeDir(dirname(file));
    const temp = `${file}.${process.pid}.tmp`;
    const digest = createHash('sha1').update(payload).digest();
    writeFileSync(temp, Buffer.concat([MAGIC, digest, payload]), { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    return false;
  }
  removeOtherCaches(file);
  return true;
}

/**
 * Every install, upgrade or `npx` extraction is a new bundle (its size or mtime differ), so its cache is a new file of
 * ~1.4 MB: only the newest is kept. Another install running at the same time loses nothing but one recompile.
 */
function removeOtherCaches(keep: string): void {
  try {
    for (const name of readdirSync(dirname(keep)))
      if (name !== basename(keep) && /^cli-.*\.v8cache(\.\d+\.tmp)?$/.test(name)) unlinkSync(join(dirname(keep), name));
  } catch {
    // pruning is housekeeping: a file another process removed first, or a directory we may not list, is fine
  }
}

/**
 * Runs `bundle` (a CommonJS file) as the main program, with the code cache in `cacheDir` when there is one. Without a
 * cache directory, or on a Node without the main-context loader for the bundle's own `import()` calls, it is
 * `require(bundle)`.
 */
export function runWithCodeCache(bundle: string, version: string, cacheDir: string | undefined): void {
  // Node ≥ 20.12 (engines says ≥ 20.18.1); looked up anyway, so an older runtime falls back to require.
  const loader = (vmConstants as Partial<typeof vmConstants> | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const requireBundle = createRequire(bundle);
  let file: string | undefined;
  try {
    file = cacheDir && loader ? codeCacheFile(cacheDir, bundle, version) : undefined;
  } catch {
    file = undefined;
  }
  if (!file || !loader) {
    requireBundle(bundle);
    return;
  }
  const cachedData = readCodeCache(file);
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: loader,
  });
  if (!cachedData || script.cachedDataRejected) {
    // At exit, so the functions this run compiled lazily are in the cache too.
    const target = file;
    process.once('exit', () => writeCodeCache(target, script.createCachedData()));
  }
  const module = new Module(bundle);
  module.filename = bundle;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundle));
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  wrapper.call(module.exports, module.exports, requireBundle, module, bundle, dirname(bundle));
}
