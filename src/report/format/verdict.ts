/**
 * The parts of a report every format shows the same way: the verdict's words, what is missing for a conclusive one,
 * and the differential's candidates. Plain lines; text and markdown dress them.
 */
import type { Candidate, Report } from '../../core/report.js';
import { evidenceText } from './style.js';

const STEP_LABEL: Record<Candidate['nextStep']['kind'], string> = {
  command: 'Run',
  'router-page': 'Open',
  question: 'Answer',
  action: 'Do',
};

/** "Run: plex-diagnose --experiment alternate-port", "Open: the router's Port Forwarding page". */
export function nextStepText(candidate: Candidate): string {
  return `${STEP_LABEL[candidate.nextStep.kind]}: ${candidate.nextStep.text}`;
}

/** The one-line verdict head: what the user reads first. */
export function verdictHeadline(report: Report): string {
  if (report.verdict.status === 'ok') return 'No problems found.';
  if (report.verdict.status === 'inconclusive')
    return 'Inconclusive: no problem found, but remote access could not be checked.';
  return 'Problems found.';
}

/** "Not checked: <reason> → <how>" for each deciding question nothing answered. */
export function missingLines(report: Report): string[] {
  return report.verdict.missing.map(
    (m) =>
      `${m.ruleIds.length ? m.ruleIds.join(', ') : m.decides}: ${m.reason}${m.howToCheck ? ` → ${m.howToCheck}` : ''}`,
  );
}

export interface CandidateLines {
  head: string;
  pointsTo: string[];
  pointsAway: string[];
  next: string;
}

export function candidateLines(candidate: Candidate, index: number): CandidateLines {
  return {
    head: `${index + 1}. ${candidate.message} (${candidate.ruleId}, likelihood: ${candidate.likelihood})`,
    pointsTo: candidate.for.map(evidenceText),
    pointsAway: candidate.against.map(evidenceText),
    next: nextStepText(candidate),
  };
}
