import { REPORT_SCHEMA_VERSION, type Diagnosis, type Report } from '../../src/core/report.js';
import type { Severity } from '../../src/rules/types.js';

/** A token-shaped secret planted in every place of a report a leak would show first (evidence, data, URLs). */
export const PLANTED_TOKEN = 'WatchLeak-SECRET-9f8e7d6c';

export interface CauseSpec {
  ruleId: string;
  messageId?: string;
  severity?: Severity;
  rank?: Diagnosis['rank'];
  explainedBy?: string[];
  message?: string;
  fix?: string;
}

export function diagnosis(spec: CauseSpec): Diagnosis {
  const severity = spec.severity ?? 'error';
  return {
    ruleId: spec.ruleId,
    severity,
    category: 'remote-access',
    title: `title of ${spec.ruleId}`,
    messageId: spec.messageId ?? 'found',
    message: spec.message ?? `${spec.ruleId} fired`,
    data: { port: 32400, token: PLANTED_TOKEN },
    evidence: [
      { source: 'server.prefs', observed: `GET http://192.168.1.10:32400/:/prefs?X-Plex-Token=${PLANTED_TOKEN}` },
      { source: 'plextv.resources', observed: `accessToken=${PLANTED_TOKEN}`, expected: PLANTED_TOKEN },
    ],
    confidence: 'high',
    ...(spec.fix ? { fix: { fixId: 'f', message: spec.fix, data: { token: PLANTED_TOKEN }, actions: [] } } : {}),
    rank: spec.rank ?? (severity === 'info' ? 'info' : 'root-cause'),
    explainedBy: spec.explainedBy ?? [],
  };
}

export function report(...causes: CauseSpec[]): Report {
  const diagnoses = causes.map(diagnosis);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'plex-diagnose', version: '0.0.0-test' },
    createdAt: '2026-11-25T10:00:00.000Z',
    target: { url: 'http://192.168.1.10:32400', name: 'Living Room', machineIdentifier: 'abc123' },
    context: { tokenProvided: true, plexTv: true, experiments: [] },
    summary: {
      verdict: diagnoses.length ? 'problems' : 'ok',
      status: diagnoses.length ? diagnoses[0]!.severity : 'ok',
      errors: diagnoses.filter((d) => d.severity === 'error').length,
      warnings: diagnoses.filter((d) => d.severity === 'warning').length,
      infos: diagnoses.filter((d) => d.severity === 'info').length,
      rootCauses: diagnoses.filter((d) => d.rank === 'root-cause').length,
      checks: { passed: 3, failed: diagnoses.length, 'not-checked': 0, crashed: 0, off: 0 },
    },
    verdict: { status: diagnoses.length ? 'problems' : 'ok', missing: [] },
    diagnoses,
    checks: [],
    observations: [],
    timing: { collectMs: 1200 },
  };
}

export const healthy = (): Report => report();
export const ispBlocks = (): Report =>
  report({
    ruleId: 'isp-blocks-port',
    messageId: 'blocked',
    message: 'Your ISP drops inbound TCP 32400.',
    fix: 'Use external port 40123.',
  });
export const cgnat = (): Report =>
  report({
    ruleId: 'cgnat',
    messageId: 'behind-cgnat',
    message: 'Your router WAN address 100.64.1.2 is carrier-grade NAT.',
  });
