/** Every corpus case, and how a report is read against its expectation (shared by the test and the summary). */
import { analyze } from '../../src/diagnose/diagnose.js';
import type { Report } from '../../src/core/report.js';
import { buildSnapshot } from '../../src/testing/observations.js';
import type { CorpusCase } from './define.js';
import dockerAndPods from './docker-and-pods.js';
import nat from './nat.js';
import router from './router.js';
import serverAndDns from './server-and-dns.js';

export const CORPUS: readonly CorpusCase[] = [...dockerAndPods, ...nat, ...router, ...serverAndDns];

export interface CaseOutcome {
  report: Report;
  verdict: string;
  /** The rule named first: the top root cause, else the top differential candidate. */
  first?: string;
  /** Every rule the report names: findings and candidates. */
  named: string[];
}

type WithDifferential = Report & {
  verdict?: string;
  differential?: { candidates?: { ruleId?: string; cause?: string }[] };
};

export function runCase(c: CorpusCase): CaseOutcome {
  const report = analyze(buildSnapshot(c.observations, c.snapshot)) as WithDifferential;
  const problems = report.diagnoses.filter((d) => d.severity !== 'info');
  const candidates = (report.differential?.candidates ?? []).map((k) => k.ruleId ?? k.cause ?? '');
  const verdict = report.verdict ?? (problems.length > 0 ? 'problems' : 'ok');
  const first = problems.find((d) => d.rank === 'root-cause')?.ruleId ?? candidates[0];
  const named = [...new Set([...report.diagnoses.map((d) => d.ruleId), ...candidates])];
  return { report, verdict, ...(first ? { first } : {}), named };
}
