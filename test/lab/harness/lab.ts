/**
 * `startLab(scenario)`: a whole home network + ISP + internet in network namespaces, with the fakes running, ready for
 * a test to run the CLI in the LAN; `lab.stop()` removes every trace. See test/lab/README.md.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, type CommandResult } from './command.js';
import { distDir, ETC_NETNS, LAB_BIN, LAB_ROOT, PROCESS_TAG, REPO_ROOT, RUN_NETNS } from './paths.js';
import {
  logTail,
  spawnInNamespace,
  stopProcess,
  waitForReady,
  waitForSocket,
  type LabProcess,
  type SpawnOptions,
} from './processes.js';
import { processStartTime, registerLab, unregisterLab, writeMarker, type LabMarker } from './registry.js';
import {
  addressesOf,
  LAB_ADDRESSES,
  normalizeScenario,
  rolesOf,
  type LabAddresses,
  type LabRole,
  type LabScenario,
  type NormalizedScenario,
} from './scenario.js';
import { startInfrastructure, startPlexServer, type LabPlexServer, type ServiceHost } from './services.js';
import { buildTopology, namespaceName } from './topology.js';

export interface ExecOptions {
  /** Added to the environment (process.env plus the lab's tag). @default {} */
  env?: Record<string, string>;
  /** Killed (SIGKILL) after this long; the result then has `timedOut: true`. @default 30000 */
  timeoutMs?: number;
  /** @default the repository root (so `node dist/cli.js` works) */
  cwd?: string;
  /** Written to stdin. @default nothing */
  input?: string;
}

/** A request made by test/lab/bin/http.mjs inside a namespace. */
export interface LabHttpRequest {
  url: string;
  /** @default 'GET' */
  method?: string;
  /** @default {} */
  headers?: Record<string, string>;
  /** @default none */
  body?: string;
  /** @default 3000 */
  timeoutMs?: number;
  /** Source address to bind, e.g. the remote client's 198.51.100.20 in inet. @default the kernel's choice */
  localAddress?: string;
  /** https: the PEM CA to trust instead of the system's (e.g. `lab.plex.caFile`). @default the system's CAs */
  caFile?: string;
}

export interface LabHttpResult {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string;
  /** ETIMEDOUT (no answer: dropped), ECONNREFUSED (reset), EHOSTUNREACH/ENETUNREACH, ... */
  error?: { code?: string; message: string };
  /** https only: the certificate verified, and its subject CN. */
  tls?: { authorized: boolean; subject?: string };
  durationMs: number;
}

export interface Lab {
  /** `pd` + 5 base36 characters; namespaces are `<prefix>-<role>`. */
  readonly prefix: string;
  /** `.lab/<prefix>/`: logs (`<name>.log`), configs, nft rulesets, the marker. Removed by stop(). */
  readonly dir: string;
  readonly scenario: NormalizedScenario;
  readonly addresses: LabAddresses;
  /** The Plex token both fakes accept (give it to the CLI; never printed by the lab). */
  readonly token: string;
  /** The fake plex.tv's base URL (http://203.0.113.50), when it runs. */
  readonly plexTvUrl?: string;
  /** The fake Plex server, when it runs. */
  readonly plex?: LabPlexServer;
  /** Milliseconds spent building the networks and starting the services. */
  readonly timings: { topologyMs: number; servicesMs: number };
  namespace(role: LabRole): string;
  /** Starts a background process in a namespace; output goes to `<dir>/<name>.log`; stopped by stop(). */
  spawn(role: LabRole, name: string, argv: readonly string[], options?: SpawnOptions): LabProcess;
  /** Runs a command in a namespace to completion (with a deadline). A non-zero exit is data, not an exception. */
  exec(role: LabRole, argv: readonly string[], options?: ExecOptions): Promise<CommandResult>;
  /** Waits until something listens on ip:port in the namespace. @default tcp, 5000 ms */
  waitForPort(
    role: LabRole,
    ip: string,
    port: number,
    options?: { protocol?: 'tcp' | 'udp'; timeoutMs?: number },
  ): Promise<void>;
  /** Runs one of test/lab/bin's tools (`http.mjs`, `lookup.mjs`, `upnp-probe.mjs`, `upnp-map.mjs`) and parses its JSON. */
  tool<T = Record<string, unknown>>(
    role: LabRole,
    script: string,
    args: readonly string[],
    options?: ExecOptions,
  ): Promise<T>;
  /** One HTTP request from inside a namespace. */
  http(role: LabRole, request: LabHttpRequest): Promise<LabHttpResult>;
  /** The tail of every log (`lines` each, @default 25), for failure messages. */
  logs(lines?: number): Promise<string>;
  /** Stops every process, deletes the namespaces, /etc/netns entries and the lab dir. Idempotent; never throws. */
  stop(): Promise<void>;
}

function newPrefix(): string {
  for (;;) {
    const prefix = `pd${randomBytes(8).readBigUInt64BE().toString(36).slice(-5).padStart(5, '0')}`;
    if (!existsSync(join(LAB_ROOT, prefix)) && !existsSync(join(RUN_NETNS, `${prefix}-lan`))) return prefix;
  }
}

/** Builds the scenario's networks and starts its services. On any failure everything is torn down and the error carries the logs. */
export async function startLab(input: LabScenario): Promise<Lab> {
  const scenario = normalizeScenario(input);
  if (!existsSync(join(distDir(), 'testing.js')))
    throw new Error(`lab: ${distDir()}/testing.js is missing: run \`npm run build\` first (or set PD_LAB_DIST)`);
  const prefix = newPrefix();
  const dir = join(LAB_ROOT, prefix);
  mkdirSync(dir, { recursive: true });
  const roles = rolesOf(scenario);
  const marker: LabMarker = {
    prefix,
    dir,
    namespaces: roles.map((role) => namespaceName(prefix, role)),
    ownerPid: process.pid,
    ownerStartTime: processStartTime(process.pid) ?? '',
    createdAt: new Date().toISOString(),
  };
  // The marker comes first, so even a crash in the middle of the build is found by cleanupStaleLabs().
  writeMarker(marker);
  if (process.env.PD_LAB_RUN_FILE) appendFileSync(process.env.PD_LAB_RUN_FILE, `${prefix}\n`);
  const processes: LabProcess[] = [];
  registerLab({ marker, pids: () => processes.filter((proc) => proc.running()).map((proc) => proc.pid) });
  const token = `lab-${randomBytes(16).toString('hex')}`;
  const baseEnv = { ...process.env, [PROCESS_TAG]: prefix, PD_LAB_DIST: distDir() };
  const ns = (role: LabRole): string => {
    if (!roles.includes(role)) throw new Error(`lab ${prefix}: scenario "${scenario.name}" has no ${role} namespace`);
    return namespaceName(prefix, role);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= teardown(marker, processes));
  const exec = (role: LabRole, argv: readonly string[], options: ExecOptions = {}): Promise<CommandResult> =>
    runCommand(['ip', 'netns', 'exec', ns(role), ...argv], {
      env: { ...baseEnv, ...options.env },
      cwd: options.cwd ?? REPO_ROOT,
      timeoutMs: options.timeoutMs ?? 30_000,
      input: options.input,
    });
  const tool = async <T>(role: LabRole, script: string, args: readonly string[], options?: ExecOptions): Promise<T> => {
    const result = await exec(role, ['node', join(LAB_BIN, script), ...args], options);
    const line = result.stdout.trim().split('\n').pop() ?? '';
    if (result.code !== 0 || !line.startsWith('{'))
      throw new Error(
        `lab: ${script} in ${role} failed (exit ${result.code ?? result.signal}):\n${result.stderr || result.stdout}`,
      );
    return JSON.parse(line) as T;
  };
  const host: ServiceHost & { dir: string } = {
    dir,
    token,
    spawn(role, name, argv, options = {}) {
      const proc = spawnInNamespace(
        ns(role),
        role,
        name,
        argv,
        join(dir, `${name}.log`),
        { ...baseEnv, ...options.env },
        options.cwd ?? REPO_ROOT,
      );
      processes.push(proc);
      return proc;
    },
    waitForPort: (role, ip, port, options = {}) =>
      waitForSocket(ns(role), ip, port, options.protocol ?? 'tcp', options.timeoutMs ?? 5000),
    waitForReady: (proc, timeoutMs = 15_000) => waitForReady(proc, timeoutMs),
  };
  const logs = async (lines = 25, except = ''): Promise<string> => {
    const names = (await readdir(dir).catch(() => [] as string[]))
      .filter((name) => name.endsWith('.log') && !except.includes(`--- ${name} log`))
      .sort();
    return (await Promise.all(names.map((name) => logTail({ name, logPath: join(dir, name) }, lines)))).join('\n');
  };

  try {
    const started = performance.now();
    await buildTopology(prefix, scenario, dir);
    if (scenario.dns !== 'none') {
      // `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for that namespace only.
      for (const role of ['lan', 'ctr'] as const) {
        if (!roles.includes(role)) continue;
        await mkdir(join(ETC_NETNS, ns(role)), { recursive: true });
        await writeFile(
          join(ETC_NETNS, ns(role), 'resolv.conf'),
          `nameserver ${LAB_ADDRESSES.routerLan}\noptions timeout:1 attempts:1\n`,
        );
      }
    }
    const topologyMs = performance.now() - started;
    const addresses = addressesOf(scenario);
    await startInfrastructure(host, scenario, addresses);
    const plex = await startPlexServer(host, scenario, addresses);
    const servicesMs = performance.now() - started - topologyMs;
    return {
      prefix,
      dir,
      scenario,
      addresses,
      token,
      ...(scenario.plexTv ? { plexTvUrl: `http://${LAB_ADDRESSES.plexTv}` } : {}),
      ...(plex ? { plex } : {}),
      timings: { topologyMs, servicesMs },
      namespace: ns,
      spawn: host.spawn.bind(host),
      exec,
      waitForPort: host.waitForPort.bind(host),
      tool,
      http: (role, request) =>
        tool<LabHttpResult>(role, 'http.mjs', [JSON.stringify(request)], {
          timeoutMs: (request.timeoutMs ?? 3000) + 5000,
        }),
      logs,
      stop,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The failing service's own tail is already in the message; add the others'.
    const detail = await logs(25, message);
    await stop();
    throw new Error(`lab "${scenario.name}" (${prefix}) failed to start: ${message}${detail ? `\n${detail}` : ''}`, {
      cause: error,
    });
  }
}

/** The normal (async) teardown: graceful stop, stragglers by exact PID, namespaces, files. Never throws. */
async function teardown(marker: LabMarker, processes: readonly LabProcess[]): Promise<void> {
  try {
    await Promise.all(processes.map((proc) => stopProcess(proc)));
    const existing = marker.namespaces.filter((name) => existsSync(join(RUN_NETNS, name)));
    for (const name of existing) {
      const pids = (await runCommand(['ip', 'netns', 'pids', name], { timeoutMs: 3000 })).stdout
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      for (const pid of pids) {
        try {
          if (pid > 1 && pid !== process.pid) process.kill(pid, 'SIGKILL');
        } catch {
          // Exited meanwhile.
        }
      }
    }
    if (existing.length > 0)
      await runCommand(['ip', '-batch', '-'], {
        input: existing.map((name) => `netns del ${name}\n`).join(''),
        timeoutMs: 10_000,
      });
    await Promise.all(marker.namespaces.map((name) => rm(join(ETC_NETNS, name), { recursive: true, force: true })));
    await rm(marker.dir, { recursive: true, force: true });
  } catch (error) {
    process.stderr.write(
      `lab ${marker.prefix}: teardown error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  } finally {
    unregisterLab(marker.prefix);
  }
}

/** Runs `body` with a fresh lab and always stops it; a failure inside gets the lab's log tails appended. */
export async function withLab<T>(scenario: LabScenario, body: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await startLab(scenario);
  try {
    return await body(lab);
  } catch (error) {
    if (error instanceof Error) error.message += `\n${await lab.logs()}`;
    throw error;
  } finally {
    await lab.stop();
  }
}
