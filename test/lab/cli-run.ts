/**
 * Running the built CLI inside a lab namespace the way a user on that LAN would: `node dist/cli.js --json --url
 * <server> --token <lab token> --timeout 4s`, with plex.tv pointed at the lab's stand-in and an environment made from
 * nothing (`env -i`), so the host's PLEX_TOKEN, PLEX_URL, XDG dirs or colours never leak into a scenario.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult, Lab } from './harness/index.js';
import { distDir, LAB_BIN, PROCESS_TAG, REPO_ROOT } from './harness/paths.js';

/** The part of `--json` the scenarios assert on (the CLI's report schema has much more). */
export interface CliDiagnosis {
  ruleId: string;
  messageId: string;
  confidence: string;
  severity: string;
  rank?: string;
  message?: string;
  [key: string]: unknown;
}

export interface CliRun {
  result: CommandResult;
  /** The parsed `--json` report; undefined when stdout was not JSON (the failure message then shows stdout/stderr). */
  report?: { diagnoses: CliDiagnosis[]; [key: string]: unknown };
  /** `diagnoses[0]`, the top-ranked finding. */
  top?: CliDiagnosis;
}

/** Per-check deadline: generous for veth hops, short enough that a dropped port costs seconds, not minutes. */
export const CLI_TIMEOUT = '4s';
/** The whole run's deadline (the experiment waits for plex.tv's connect-back twice). */
const RUN_TIMEOUT_MS = 90_000;

/** The environment the CLI gets: nothing of the host's but PATH. */
export function cliEnv(lab: Lab): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: join(lab.dir, 'home'),
    PLEX_DIAGNOSE_PLEXTV_URL: lab.plexTvUrl ?? 'http://203.0.113.50',
    PLEX_DIAGNOSE_CONFIG_DIR: join(lab.dir, 'cli-config'),
    NO_COLOR: '1',
    // The server's plex.direct certificate is signed by the lab's CA, standing in for the public CA of the real ones.
    ...(lab.plex?.caFile ? { NODE_EXTRA_CA_CERTS: lab.plex.caFile } : {}),
    // The lab's leftover check finds processes by this tag; a CLI killed at its deadline is found too.
    [PROCESS_TAG]: lab.prefix,
  };
}

/** Top-level directories the CLI needs inside plain-host.sh's root: the system, and wherever node, the repo and the build live. */
function plainHostDirs(): string[] {
  const topOf = (path: string): string => realpathSync(path).split('/')[1]!;
  return [
    ...new Set([
      'usr',
      'etc',
      'proc',
      'sys',
      'dev',
      'tmp',
      topOf(process.execPath),
      topOf(REPO_ROOT),
      topOf(distDir()),
    ]),
  ];
}

let runs = 0;
/**
 * `unshare --mount sh plain-host.sh <root> <dirs> -- argv`: argv run on the lab host as on a plain Linux box, without
 * this machine's /.dockerenv (see the script). For `lab.exec(role, onPlainHost(lab, argv))`.
 */
export function onPlainHost(lab: Lab, argv: readonly string[]): string[] {
  const root = join(lab.dir, `host-root-${++runs}`);
  mkdirSync(root, { recursive: true });
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    'sh',
    join(LAB_BIN, 'plain-host.sh'),
    root,
    ...plainHostDirs(),
    '--',
    ...argv,
  ];
}

/**
 * `node <dist>/cli.js --json --url http://192.168.1.10:32400 --token <token> --timeout 4s ...extra`; with a command
 * (`collect`), that command first and no `--json` (a snapshot is JSON already).
 */
export function cliArgv(lab: Lab, extra: readonly string[] = [], command?: 'collect'): string[] {
  if (!lab.plex) throw new Error('lab: the CLI scenarios need the fake Plex server');
  const head = command ? [command] : ['--json'];
  return [
    process.execPath,
    join(distDir(), 'cli.js'),
    ...head,
    '--url',
    lab.plex.url,
    '--token',
    lab.token,
    '--timeout',
    CLI_TIMEOUT,
    ...extra,
  ];
}

export interface RunCliOptions {
  /** The namespace to run in. @default 'lan' (the server's LAN host) */
  role?: 'lan' | 'rtr';
  /** A CLI command instead of the default `diagnose` (the result then has no `report`). @default none */
  command?: 'collect';
}

/** Runs the CLI in the LAN namespace (or another role) and parses its JSON report. */
export async function runCli(lab: Lab, extra: readonly string[] = [], options: RunCliOptions = {}): Promise<CliRun> {
  const env = Object.entries(cliEnv(lab)).map(([key, value]) => `${key}=${value}`);
  const argv = onPlainHost(lab, ['/usr/bin/env', '-i', ...env, ...cliArgv(lab, extra, options.command)]);
  const result = await lab.exec(options.role ?? 'lan', argv, { timeoutMs: RUN_TIMEOUT_MS });
  let report: CliRun['report'];
  if (options.command) return { result };
  try {
    report = JSON.parse(result.stdout) as CliRun['report'];
  } catch {
    report = undefined;
  }
  return { result, ...(report ? { report } : {}), ...(report?.diagnoses[0] ? { top: report.diagnoses[0] } : {}) };
}

/** One line per diagnosis (rank, rule/message, confidence), for failure messages and the closing note. */
export function summarize(run: CliRun): string {
  if (!run.report)
    return `exit ${run.result.code ?? run.result.signal}; no JSON report.\nstdout: ${run.result.stdout.slice(0, 2000)}\nstderr: ${run.result.stderr.slice(-2000)}`;
  const lines = run.report.diagnoses.map(
    (d) => `  ${d.rank ?? '?'} ${d.severity} ${d.ruleId}/${d.messageId} (${d.confidence}): ${d.message ?? ''}`,
  );
  return `exit ${run.result.code}; ${run.report.diagnoses.length} diagnosis(es):\n${lines.join('\n') || '  (none)'}${run.result.stderr ? `\nstderr: ${run.result.stderr.slice(-1500)}` : ''}`;
}
