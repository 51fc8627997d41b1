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

export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'crashed' | 'off';

export interface RuleCheck {
  ruleId: string;
  title: string;
  category: RuleCategory;
  /** The effective severity (after rule config). */
  severity: Severity;
  status: CheckStatus;
  /** Why it was skipped, or the crash message. */
  reason?: string;
  findings: number;
}

export interface ObservationSummary {
  id: string;
  status: 'ok' | 'failed' | 'skipped';
  durationMs: number;
  error?: ObservationError;
  reason?: string;
}

export interface ReportSummary {
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
  diagnoses: Diagnosis[];
  checks: RuleCheck[];
  observations: ObservationSummary[];
  timing: { collectMs: number };
  /** The server → internet path with the broken hop marked, when the evidence allows drawing it. */
  path?: NetworkPath;
  /** The evidence itself, when asked for (`includeSnapshot`). */
  snapshot?: Snapshot;
}
