/**
 * Background processes inside namespaces: started through `ip netns exec` (which execs, so the child's PID is the
 * program's own), output captured to `<labdir>/<name>.log`, every PID tracked, and stopped with SIGTERM then SIGKILL.
 * The lab is the parent and waits on each child, so nothing is left as a zombie (docs/reference/netlab.md "Scenario
 * 6").
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { runCommand } from './command.js';
import type { LabRole } from './scenario.js';

export interface LabProcess {
  readonly name: string;
  readonly role: LabRole;
  readonly pid: number;
  readonly logPath: string;
  /** Settles when the process has exited (and been reaped). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** False once it exited. */
  running(): boolean;
}

export interface SpawnOptions {
  /** Added to the lab's environment (which is process.env plus the lab's tag). @default {} */
  env?: Record<string, string>;
  /** @default the repository root */
  cwd?: string;
}

export function spawnInNamespace(
  namespace: string,
  role: LabRole,
  name: string,
  argv: readonly string[],
  logPath: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): LabProcess {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`lab: process name "${name}" must be a plain file name`);
  const log = openSync(logPath, 'a');
  let child;
  try {
    child = spawn('ip', ['netns', 'exec', namespace, ...argv], { cwd, env, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  if (child.pid === undefined) throw new Error(`lab: could not start ${name} (${argv[0]}) in ${namespace}`);
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => {
      alive = false;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
  });
  return { name, role, pid: child.pid, logPath, exited, running: () => alive };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is reaped (or after a bounded wait). */
export async function stopProcess(proc: LabProcess, graceMs = 1500): Promise<void> {
  if (!proc.running()) return;
  const send = (signal: NodeJS.Signals): void => {
    try {
      process.kill(proc.pid, signal);
    } catch {
      // Already gone.
    }
  };
  send('SIGTERM');
  const outcome = await Promise.race([proc.exited.then(() => 'exited' as const), delay(graceMs, 'grace' as const)]);
  if (outcome === 'exited') return;
  send('SIGKILL');
  await Promise.race([proc.exited, delay(2000)]);
}

export async function readLog(proc: Pick<LabProcess, 'logPath'>): Promise<string> {
  return readFile(proc.logPath, 'utf8').catch(() => '');
}

/** The last lines of a log, for error messages. */
export async function logTail(proc: Pick<LabProcess, 'logPath' | 'name'>, lines = 20): Promise<string> {
  const text = (await readLog(proc)).trimEnd();
  return `--- ${basename(proc.logPath)} log (${proc.logPath}) ---\n${text.split('\n').slice(-lines).join('\n') || '(empty)'}`;
}

/** The line runner scripts print once they serve: `PD_LAB_READY {json}` (test/lab/bin/runner.mjs). */
export const READY_MARK = 'PD_LAB_READY ';

/** Waits until a runner prints its ready line, and returns the JSON it carries. Throws (with the log) if it exits or times out. */
export async function waitForReady(proc: LabProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const line = (await readLog(proc)).split('\n').find((entry) => entry.startsWith(READY_MARK));
    if (line) return JSON.parse(line.slice(READY_MARK.length)) as Record<string, unknown>;
    if (!proc.running()) throw new Error(`lab: ${proc.name} exited before it was ready\n${await logTail(proc)}`);
    if (performance.now() > deadline)
      throw new Error(`lab: ${proc.name} not ready after ${timeoutMs} ms\n${await logTail(proc)}`);
    await delay(20);
  }
}

/** Parses /proc/net/{tcp,udp}[6] and answers whether `ip:port` has a listening (tcp) or bound (udp) socket. */
export function hasSocket(procNet: string, ip: string, port: number, protocol: 'tcp' | 'udp'): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of procNet.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [address, localPort] = (fields[1] ?? '').split(':');
    if (!address || localPort !== hexPort) continue;
    if (protocol === 'tcp' && fields[3] !== '0A') continue;
    if (address.length === 32) {
      // IPv6 sockets: the wildcard also takes IPv4 (dual stack); other addresses are not what we wait for.
      if (/^0+$/.test(address)) return true;
      continue;
    }
    // The kernel prints the address as a host-order hex word: on little-endian machines the bytes come reversed.
    const value = Number.parseInt(address, 16);
    const dotted = (endianness() === 'LE' ? [0, 8, 16, 24] : [24, 16, 8, 0])
      .map((shift) => (value >>> shift) & 255)
      .join('.');
    if (dotted === ip || dotted === '0.0.0.0') return true;
  }
  return false;
}

/** Polls the namespace's socket table until `ip:port` is open. */
export async function waitForSocket(
  namespace: string,
  ip: string,
  port: number,
  protocol: 'tcp' | 'udp',
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const files = protocol === 'tcp' ? ['/proc/net/tcp', '/proc/net/tcp6'] : ['/proc/net/udp', '/proc/net/udp6'];
  for (;;) {
    // `cat` exits 1 when tcp6 is missing (IPv6 off) but still prints the rest: the output is what counts.
    const table = await runCommand(['ip', 'netns', 'exec', namespace, 'cat', ...files], { timeoutMs: 2000 });
    if (hasSocket(table.stdout, ip, port, protocol)) return;
    if (performance.now() > deadline)
      throw new Error(`lab: nothing listens on ${protocol} ${ip}:${port} in ${namespace} after ${timeoutMs} ms`);
    await delay(25);
  }
}
