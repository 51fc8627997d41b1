/**
 * The Report: what `analyze` returns. Data only; text, JSON and markdown are formatters over it, and the exit code
 * is one small function of it. Plain JSON, versioned.
 */
import type { ObservationError } from './observation.js';
import type { Snapshot } from './snapshot.js';
import type { Confidence, Evidence, FixAction, RuleCategory, Severity } from './finding.js';

export const REPORT_SCHEMA_VERSION = 1;

/**
 * root-cause: heads the report. contributing: real, but explained by a root cause that also fired (CGNAT explains
 * "unreachable"). info: worth knowing, not a problem.
 */
export type DiagnosisRank = 'root-cause' | 'contributing' | 'info';

export interface Diagnosis {
  ruleId: string;
  severity: Severity;
  category: RuleCategory;
  title: string;
  messageId: string;
  message: string;
  data: Record<string, string | number | boolean | undefined>;
  evidence: Evidence[];
  confidence: Confidence;
  fix?: {
    fixId: string;
    message: string;
    data: Record<string, string | number | boolean | undefined>;
    actions: FixAction[];
  };
  rank: DiagnosisRank;
  /** Rule ids of the root causes that explain this finding. */
  explainedBy: string[];
  docsUrl?: string;
}

/**
 * Every check ends in one of three outcomes (plus the two the run imposes): `passed` WITH the evidence that passed it,
 * `failed` (a finding), or `not-checked` with why and how to make it checkable. Unknown is never passed: a rule that
 * neither reports nor affirmatively passes ends `not-checked`. `crashed` is a bug in the rule; `off` is the user's choice.
 */
export type CheckStatus = 'passed' | 'failed' | 'not-checked' | 'crashed' | 'off';

export interface RuleCheck {
  ruleId: string;
  title: string;
  category: RuleCategory;
  /** The effective severity (after rule config). */
  severity: Severity;
  status: CheckStatus;
  /** Why it was not checked, or the crash message. */
  reason?: string;
  /** For `not-checked`: what would make it checkable ("give a token: --token or PLEX_TOKEN"). */
  howToCheck?: string;
  /** For `passed`: the evidence that passed it (never empty). */
  evidence?: Evidence[];
  /** The remote-access question this check decides (meta.decides), when it is one of the deciding checks. */
  decides?: string;
  findings: number;
}

/**
 * ok: the checks that decide remote access ran and passed, and nothing is wrong. problems: at least one error or
 * warning. inconclusive: nothing found, but a deciding check could not run (see `missing`).
 */
export type VerdictStatus = 'ok' | 'problems' | 'inconclusive';

export interface Verdict {
  status: VerdictStatus;
  /** For each deciding question no check answered: what is missing and how to get it. Empty when ok. */
  missing: { decides: string; ruleIds: string[]; reason: string; howToCheck?: string }[];
}

/** What would confirm or rule out a candidate cause: one command, one router page to open, one question to answer. */
export interface NextStep {
  kind: 'command' | 'router-page' | 'question' | 'action';
  text: string;
}

/** One candidate of the differential: a cause the evidence neither confirms nor rules out. */
export interface Candidate {
  ruleId: string;
  messageId: string;
  /** The cause, in words ("The ISP blocks inbound port 32400"). */
  message: string;
  data: Record<string, string | number | boolean | undefined>;
  /** How likely, from the evidence for and against. */
  likelihood: Confidence;
  /** What points to this cause. */
  for: Evidence[];
  /** What points away from it. */
  against: Evidence[];
  nextStep: NextStep;
}

/** Shown when remote access is failing or unknown and no finding singles out one cause: the candidates, ranked. */
export interface Differential {
  candidates: Candidate[];
}

export interface ObservationSummary {
  id: string;
  status: 'ok' | 'failed' | 'skipped';
  durationMs: number;
  error?: ObservationError;
  reason?: string;
}

export interface ReportSummary {
  /** The verdict: ok / problems / inconclusive (exit code 0 / 1 / 4 with the default --fail-on). */
  verdict: VerdictStatus;
  /** The worst severity among the findings, or 'ok'. */
  status: 'ok' | Severity;
  errors: number;
  warnings: number;
  infos: number;
  rootCauses: number;
  checks: Record<CheckStatus, number>;
}

/** One hop of the path from the server to the internet, as Plex's Remote Access page draws it, but complete. */
export interface PathHop {
  kind: 'server' | 'container-bridge' | 'router' | 'upstream-nat' | 'public' | 'internet';
  /** Short name ("Plex Media Server", "Router", "Carrier-grade NAT"). */
  label: string;
  /** Addresses and ports at this hop ("192.168.1.10:32400", "LAN 192.168.1.1 · WAN 84.1.1.2"). */
  detail?: string;
  /** 'broken': a root cause sits here; 'warning': a contributing problem; 'unknown': no evidence. */
  status: 'ok' | 'warning' | 'broken' | 'unknown';
  /** Why it is marked (the rule that put the mark there). */
  note?: string;
}

export interface NetworkPath {
  hops: PathHop[];
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** When the evidence was collected (from the snapshot: analysis itself reads no clock). */
  createdAt: string;
  target: Snapshot['target'];
  context: Snapshot['context'];
  summary: ReportSummary;
  /** ok only when the checks that decide remote access ran and passed; otherwise what is missing. */
  verdict: Verdict;
  diagnoses: Diagnosis[];
  /** The candidate causes, ranked, when the cause is open. */
  differential?: Differential;
  checks: RuleCheck[];
  observations: ObservationSummary[];
  timing: { collectMs: number };
  /** The server → internet path with the broken hop marked, when the evidence allows drawing it. */
  path?: NetworkPath;
  /** The evidence itself, when asked for (`includeSnapshot`). */
  snapshot?: Snapshot;
}
