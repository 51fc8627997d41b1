/**
 * Teardown that always happens: every live lab is registered here, torn down synchronously on SIGINT/SIGTERM and on
 * process exit, and a lab whose owner died (crash, SIGKILL) is found by its marker file and removed by
 * `cleanupStaleLabs()`. Only labs with our prefix pattern AND our marker are ever touched: never anyone else's
 * namespaces. Processes are only ever killed by exact PID.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSyncQuietly } from './command.js';
import { ETC_NETNS, LAB_ROOT, MARKER_FILE, PREFIX_PATTERN, PROCESS_TAG, RUN_NETNS } from './paths.js';

/** What the marker file records, enough to tear a lab down from another process. */
export interface LabMarker {
  prefix: string;
  dir: string;
  namespaces: string[];
  ownerPid: number;
  /** /proc/<pid>/stat start time of the owner: a reused PID is not mistaken for a live owner. */
  ownerStartTime: string;
  createdAt: string;
}

/** The PIDs of a live lab's children, for the synchronous teardown (async stop() is the normal path). */
export interface LiveLab {
  marker: LabMarker;
  pids(): number[];
}

const live = new Map<string, LiveLab>();
let handlersInstalled = false;

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function writeMarker(marker: LabMarker): void {
  writeFileSync(join(marker.dir, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
}

export function registerLab(lab: LiveLab): void {
  live.set(lab.marker.prefix, lab);
  installHandlers();
}

export function unregisterLab(prefix: string): void {
  live.delete(prefix);
}

export function liveLabCount(): number {
  return live.size;
}

function kill(pid: number): void {
  try {
    if (pid > 1 && pid !== process.pid) process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/**
 * Live (non-zombie) processes of labs whose prefix starts with `prefix`: tagged in their environment (everything the
 * lab starts) or naming the lab dir in their command line (miniupnpd -f, dnsmasq --pid-file, the runners).
 */
export function taggedProcesses(prefix: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  const tag = `${PROCESS_TAG}=${prefix}`;
  const dirMark = join(LAB_ROOT, prefix);
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (command.includes(dirMark) || `\0${environ}`.includes(`\0${tag}`))
        found.push({ pid, command: command.replace(/\0/g, ' ').trim() });
    } catch {
      // It exited while we looked.
    }
  }
  return found;
}

/** Synchronous teardown (signal and exit handlers cannot await): SIGKILL by exact PID, delete namespaces and files. */
export function teardownSync(marker: LabMarker, childPids: readonly number[] = []): void {
  for (const pid of childPids) kill(pid);
  for (const namespace of marker.namespaces) {
    if (!existsSync(join(RUN_NETNS, namespace))) continue;
    for (const pid of (runSyncQuietly(['ip', 'netns', 'pids', namespace]) ?? '').split(/\s+/).filter(Boolean))
      kill(Number(pid));
  }
  for (const { pid } of taggedProcesses(marker.prefix)) kill(pid);
  for (const namespace of marker.namespaces) {
    if (existsSync(join(RUN_NETNS, namespace))) runSyncQuietly(['ip', 'netns', 'del', namespace]);
    rmSync(join(ETC_NETNS, namespace), { recursive: true, force: true });
  }
  rmSync(marker.dir, { recursive: true, force: true });
}

function teardownAllSync(): void {
  for (const lab of live.values()) teardownSync(lab.marker, lab.pids());
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', teardownAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Stderr, not console: the test runner may already be tearing its reporters down.
      if (live.size > 0) process.stderr.write(`lab: ${signal}: tearing down ${[...live.keys()].join(', ')}\n`);
      teardownAllSync();
      process.removeListener(signal, onSignal);
      // Re-raise so the process ends the way it would have without us.
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function readMarker(dir: string): LabMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(dir, MARKER_FILE), 'utf8')) as LabMarker;
    const ours =
      PREFIX_PATTERN.test(marker.prefix) &&
      marker.dir === dir &&
      marker.namespaces.every((name) => name.startsWith(`${marker.prefix}-`));
    return ours ? marker : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes labs left by a crashed run: a dir under `.lab/` with our prefix pattern and a valid marker whose owner
 * process is gone. Labs of live owners (another run in parallel) and anything without a marker are left alone.
 * @returns the prefixes cleaned up
 */
export function cleanupStaleLabs(root: string = LAB_ROOT): string[] {
  if (!existsSync(root)) return [];
  const cleaned: string[] = [];
  for (const entry of readdirSync(root)) {
    if (!PREFIX_PATTERN.test(entry) || live.has(entry)) continue;
    const marker = readMarker(join(root, entry));
    if (!marker) continue;
    const ownerAlive = processStartTime(marker.ownerPid) === marker.ownerStartTime;
    if (ownerAlive) continue;
    teardownSync(marker);
    cleaned.push(marker.prefix);
  }
  return cleaned;
}

/** Everything with this prefix that still exists: namespaces, /etc/netns entries, lab dirs, processes. */
export function findLeftovers(prefix: string): string[] {
  if (!prefix.startsWith('pd')) throw new Error(`lab: refusing to look for leftovers of a foreign prefix "${prefix}"`);
  const leftovers: string[] = [];
  const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
  for (const name of list(RUN_NETNS)) if (name.startsWith(prefix)) leftovers.push(`namespace ${name}`);
  for (const name of list(ETC_NETNS)) if (name.startsWith(prefix)) leftovers.push(`${ETC_NETNS}/${name}`);
  for (const name of list(LAB_ROOT)) if (name.startsWith(prefix)) leftovers.push(`${LAB_ROOT}/${name}`);
  for (const { pid, command } of taggedProcesses(prefix)) leftovers.push(`process ${pid}: ${command}`);
  return leftovers;
}

/** Throws, listing them, when anything of the lab(s) with this prefix is left. */
export function assertNoLeftovers(prefix: string): void {
  const leftovers = findLeftovers(prefix);
  if (leftovers.length > 0) throw new Error(`lab leftovers for "${prefix}":\n  ${leftovers.join('\n  ')}`);
}
