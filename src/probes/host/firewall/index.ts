/**
 * The host firewall, read-only: whether a new inbound TCP connection to Plex's port from the internet gets in. Linux
 * only (nftables, iptables / ip6tables including the legacy backend, and ufw / firewalld as the front ends that name
 * the fix); elsewhere, or without the permission to read it, the answer is "not checked" with why.
 */
import { evaluateIptables } from './iptables.js';
import { evaluateNft, parseNftJson } from './nft.js';
import type { InboundPacket } from './packet.js';
import { runTool, type RunTool, type ToolRun } from './run.js';
import { sharedRunner } from './shared-run.js';

// The default runner, shared by every diagnosis in this process (./shared-run.ts says why).
const sharedRunTool = sharedRunner(runTool);
import type { Evaluation, Verdict } from './engine.js';

export type FirewallTool =
  | 'nft'
  | 'iptables-save'
  | 'ip6tables-save'
  | 'iptables-legacy-save'
  | 'ip6tables-legacy-save'
  | 'ufw'
  | 'firewall-cmd';

export interface FirewallFamilyVerdict {
  verdict: Verdict;
  /** The rule, policy or reason that decided it. */
  decidedBy?: string;
  /** The tool whose view decided it. */
  tool?: FirewallTool;
  /** The base chain where it was decided ("inet filter input", "INPUT"). */
  baseChain?: string;
}

export interface FirewallSourceStatus {
  tool: FirewallTool;
  status: 'read' | 'not-installed' | 'denied' | 'failed';
  /** The tool's error, or what it said (ufw "Status: active"). */
  detail?: string;
}

export interface HostFirewallReading {
  port: number;
  inInterface?: string;
  ipv4: FirewallFamilyVerdict;
  ipv6: FirewallFamilyVerdict;
  sources: FirewallSourceStatus[];
  /** The front end that manages the rules, when one is active: its own command is the fix. */
  frontEnd?: 'ufw' | 'firewalld';
}

export type FirewallProbeResult = { checked: true; value: HostFirewallReading } | { checked: false; reason: string };

export interface ReadFirewallOptions {
  port: number;
  inInterface?: string;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  /** @default runTool (execFile) */
  run?: RunTool;
  /** Per tool. @default 3000 */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const COMMANDS: Record<FirewallTool, string[]> = {
  nft: ['-j', 'list', 'ruleset'],
  'iptables-save': ['-t', 'filter'],
  'ip6tables-save': ['-t', 'filter'],
  'iptables-legacy-save': ['-t', 'filter'],
  'ip6tables-legacy-save': ['-t', 'filter'],
  ufw: ['status', 'verbose'],
  'firewall-cmd': ['--state'],
};

const RULESET_TOOLS: FirewallTool[] = [
  'nft',
  'iptables-save',
  'ip6tables-save',
  'iptables-legacy-save',
  'ip6tables-legacy-save',
];

function statusOf(tool: FirewallTool, run: ToolRun): FirewallSourceStatus {
  if (run.status === 'ok') return { tool, status: 'read' };
  if (run.status === 'not-installed') return { tool, status: 'not-installed' };
  return { tool, status: run.status, detail: run.message };
}

/** One verdict from every view that was read: any block is a block; "accepted" needs nftables itself read. */
export function combineViews(
  views: Array<{ tool: FirewallTool; evaluation: Evaluation }>,
  nftRead: boolean,
): FirewallFamilyVerdict {
  const named = (v: { tool: FirewallTool; evaluation: Evaluation }): FirewallFamilyVerdict => ({
    verdict: v.evaluation.verdict,
    tool: v.tool,
    ...(v.evaluation.decidedBy ? { decidedBy: v.evaluation.decidedBy } : {}),
    ...(v.evaluation.baseChain ? { baseChain: v.evaluation.baseChain } : {}),
  });
  const blocked = views.find((v) => v.evaluation.verdict === 'dropped' || v.evaluation.verdict === 'rejected');
  if (blocked) return named(blocked);
  const unknown = views.find((v) => v.evaluation.verdict === 'unknown');
  if (unknown) return named(unknown);
  if (!nftRead)
    return { verdict: 'unknown', decidedBy: 'nftables could not be read (nft), so rules outside iptables are unseen' };
  const accepted = views.find((v) => v.tool === 'nft') ?? views[0];
  return accepted ? named(accepted) : { verdict: 'unknown' };
}

function evaluateView(tool: FirewallTool, stdout: string, packet: InboundPacket): Evaluation {
  if (tool !== 'nft') return evaluateIptables(stdout, packet);
  try {
    return evaluateNft(parseNftJson(stdout), packet);
  } catch (error) {
    return { verdict: 'unknown', decidedBy: error instanceof Error ? error.message : String(error) };
  }
}

export async function readHostFirewall(options: ReadFirewallOptions): Promise<FirewallProbeResult> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux')
    return { checked: false, reason: `not checked on this platform (${platform}): only Linux firewalls are read` };
  const run = options.run ?? sharedRunTool;
  const timeoutMs = options.timeoutMs ?? 3000;
  const tools = Object.keys(COMMANDS) as FirewallTool[];
  const runs = await Promise.all(
    tools.map(
      async (tool) =>
        [
          tool,
          await run(tool, COMMANDS[tool], { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) }),
        ] as const,
    ),
  );
  const byTool = new Map(runs);
  const sources = runs.map(([tool, result]) => statusOf(tool, result));
  const read = RULESET_TOOLS.filter((tool) => byTool.get(tool)?.status === 'ok');
  if (read.length === 0) {
    const rulesetSources = sources.filter((s) => RULESET_TOOLS.includes(s.tool));
    const denied = rulesetSources.find((s) => s.status === 'denied');
    if (denied)
      return {
        checked: false,
        reason: `run as root to read the firewall (${denied.tool}: ${denied.detail ?? 'not permitted'})`,
      };
    if (rulesetSources.every((s) => s.status === 'not-installed'))
      return { checked: false, reason: 'neither nft nor iptables-save is installed, so the firewall cannot be read' };
    return {
      checked: false,
      reason: `the firewall could not be read (${rulesetSources.map((s) => `${s.tool}: ${s.detail ?? s.status}`).join('; ')})`,
    };
  }
  const verdictFor = (family: 4 | 6): FirewallFamilyVerdict => {
    const packet: InboundPacket = {
      family,
      port: options.port,
      ...(options.inInterface ? { inInterface: options.inInterface } : {}),
    };
    const views = read
      .filter((tool) => tool === 'nft' || tool.startsWith(family === 4 ? 'iptables' : 'ip6tables'))
      .map((tool) => ({
        tool,
        evaluation: evaluateView(tool, (byTool.get(tool) as { stdout: string }).stdout, packet),
      }));
    return combineViews(views, read.includes('nft'));
  };
  const ufw = byTool.get('ufw');
  const firewalld = byTool.get('firewall-cmd');
  const frontEnd =
    ufw?.status === 'ok' && /^Status: active/m.test(ufw.stdout)
      ? 'ufw'
      : firewalld?.status === 'ok' && /^running/m.test(firewalld.stdout)
        ? 'firewalld'
        : undefined;
  return {
    checked: true,
    value: {
      port: options.port,
      ...(options.inInterface ? { inInterface: options.inInterface } : {}),
      ipv4: verdictFor(4),
      ipv6: verdictFor(6),
      sources,
      ...(frontEnd ? { frontEnd } : {}),
    },
  };
}

export { evaluateNft, parseNftJson, NftJsonError } from './nft.js';
export { evaluateIptables, parseIptablesSave } from './iptables.js';
export { runTool } from './run.js';
export type { RunTool, ToolRun } from './run.js';
export type { Verdict, Evaluation } from './engine.js';
export type { InboundPacket } from './packet.js';
