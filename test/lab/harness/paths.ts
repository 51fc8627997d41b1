/** Where the lab keeps its state and finds the code it runs. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the lab runs `node dist/cli.js` from here). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Per-lab directories (`.lab/<prefix>/`: logs, configs, pid and lease files, the marker). Git-ignored. */
export const LAB_ROOT = join(REPO_ROOT, '.lab');

/** The runner scripts started inside namespaces. */
export const LAB_BIN = join(REPO_ROOT, 'test/lab/bin');

/** The `ip netns exec` convention: files here are bind-mounted over /etc inside the namespace. */
export const ETC_NETNS = '/etc/netns';

/** Where `ip netns add` puts the namespace handles. */
export const RUN_NETNS = '/run/netns';

/**
 * The built package the runners import (`testing.js`, `index.js`): the lab runs the code users get, so CI builds
 * first. `PD_LAB_DIST` points elsewhere (e.g. an unpacked tarball).
 */
export function distDir(): string {
  return process.env.PD_LAB_DIST ? resolve(process.env.PD_LAB_DIST) : join(REPO_ROOT, 'dist');
}

/** Marker file in every lab dir: the janitor only touches labs that have one (see registry.ts). */
export const MARKER_FILE = 'lab.json';

/** Environment variable set on every process the lab starts, so leftovers can be found by exact PID. */
export const PROCESS_TAG = 'PD_LAB_PREFIX';

/** `pd` + 5 base36 characters: short enough for interface-free namespace names, random enough to overlap runs. */
export const PREFIX_PATTERN = /^pd[0-9a-z]{5}$/;
