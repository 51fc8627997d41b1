/** Every corpus case, and how a report is read against its expectation (shared by the test and the summary). */
import { analyze } from '../../src/diagnose/diagnose.js';
import type { Report } from '../../src/core/report.js';
import { builtinRules } from '../../src/rules/builtin/index.js';
import { buildSnapshot } from '../../src/testing/observations.js';
import type { CorpusCase } from './define.js';
import dockerAndPods from './docker-and-pods.js';
import host from './host.js';
import ipv6 from './ipv6.js';
import kubernetes from './kubernetes.js';
import nat from './nat.js';
import outside from './outside.js';
import ownerReports from './owner-reports.js';
import router from './router.js';
import serverAndDns from './server-and-dns.js';

export const CORPUS: readonly CorpusCase[] = [
  ...dockerAndPods,
  ...nat,
  ...router,
  ...serverAndDns,
  ...outside,
  ...ipv6,
  ...kubernetes,
  ...ownerReports,
  ...host,
];

/** Rules that report a symptom (Plex's own verdict, relay-only): a finding of theirs names no cause. */
const SYMPTOMS = new Set(builtinRules.filter((rule) => rule.meta.symptom).map((rule) => rule.id));

export interface CaseOutcome {
  report: Report;
  verdict: string;
  /** The cause named first: the top root cause that is not a symptom, else the top differential candidate. */
  first?: string;
  /** Every rule the report names: findings and candidates. */
  named: string[];
}

export function runCase(c: CorpusCase): CaseOutcome {
  const report = analyze(buildSnapshot(c.observations, c.snapshot));
  const problems = report.diagnoses.filter((d) => d.severity !== 'info');
  const candidates = (report.differential?.candidates ?? []).map((k) => k.ruleId);
  const verdict = report.summary.verdict;
  const first = problems.find((d) => d.rank === 'root-cause' && !SYMPTOMS.has(d.ruleId))?.ruleId ?? candidates[0];
  const named = [...new Set([...report.diagnoses.map((d) => d.ruleId), ...candidates])];
  return { report, verdict, ...(first ? { first } : {}), named };
}
