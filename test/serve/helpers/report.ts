/**
 * Reports for the status page's tests and bench, shaped like real ones: ~40 rule checks, ~15 observations, a path of
 * four hops and, when broken, a root cause with evidence and a fix (a real report's JSON is 15-30 kB).
 */
import type { Diagnosis, PathHop, Report, RuleCheck } from '../../../src/core/report.js';

export type Shape = 'reachable' | 'broken' | 'inconclusive';

export interface ReportOptions {
  shape: Shape;
  at?: string;
  /** The server's friendly name (hostile ones in the escaping tests). */
  name?: string;
  rootRule?: string;
  /** Text put into the root cause's message, evidence and the path (hostile strings). */
  text?: string;
  /** Observations to add (e.g. `outside.*` checks). */
  extraObservations?: Report['observations'];
}

const CATEGORIES = ['server', 'remote-access', 'port-forwarding', 'network', 'dns', 'tls'] as const;

function checks(shape: Shape, rootRule: string): RuleCheck[] {
  return Array.from({ length: 40 }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    const ruleId = i === 0 ? rootRule : `rule-${category}-${i}`;
    const deciding = category === 'remote-access' || category === 'port-forwarding';
    const status =
      i === 0 && shape === 'broken' ? 'failed' : deciding && shape === 'inconclusive' ? 'not-checked' : 'passed';
    return {
      ruleId,
      title: `Check ${i}`,
      category: i === 0 ? 'remote-access' : category,
      severity: 'error',
      status,
      ...(status === 'not-checked' ? { reason: 'plex.tv was not consulted' } : {}),
      findings: status === 'failed' ? 1 : 0,
    };
  });
}

function rootCause(rule: string, text: string): Diagnosis {
  return {
    ruleId: rule,
    severity: 'error',
    category: 'remote-access',
    title: 'The ISP blocks inbound port 32400',
    messageId: 'blocked',
    message: `plex.tv cannot reach 84.1.1.2:32400 although the router forwards it ${text}`,
    data: { port: 32400 },
    evidence: [
      { source: 'plextv.connectivity', observed: `reachable=false ${text}`, expected: 'reachable=true' },
      { source: 'router (UPnP)', observed: 'mapping 32400 → 192.168.1.10:32400 present' },
    ],
    confidence: 'high',
    fix: {
      fixId: 'alternate-port',
      message: `Use another public port, e.g. 40123, in Settings → Remote Access ${text}`,
      data: { port: 40123 },
      actions: [{ type: 'set-pref', pref: 'ManualPortMappingPort', value: 40123 }],
    },
    rank: 'root-cause',
    explainedBy: [],
  };
}

function path(shape: Shape, text: string): { hops: PathHop[] } {
  const broken = shape === 'broken';
  return {
    hops: [
      { kind: 'server', label: 'Plex Media Server', detail: '192.168.1.10:32400', status: 'ok' },
      { kind: 'router', label: 'Router', detail: `LAN 192.168.1.1 · WAN 84.1.1.2 ${text}`, status: 'ok' },
      {
        kind: 'public',
        label: 'Public address',
        detail: '84.1.1.2:32400',
        status: broken ? 'broken' : shape === 'inconclusive' ? 'unknown' : 'ok',
        ...(broken ? { note: `isp-blocks-port ${text}` } : {}),
      },
      { kind: 'internet', label: 'Internet', status: shape === 'reachable' ? 'ok' : 'unknown' },
    ],
  };
}

export function makeReport(options: ReportOptions): Report {
  const { shape } = options;
  const text = options.text ?? '';
  const rootRule = options.rootRule ?? 'isp-blocks-port';
  const diagnoses = shape === 'broken' ? [rootCause(rootRule, text)] : [];
  const observations: Report['observations'] = [
    ...Array.from({ length: 15 }, (_, i) => ({ id: `collector.${i}`, status: 'ok' as const, durationMs: 10 + i })),
    ...(options.extraObservations ?? []),
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'plex-diagnose', version: '0.1.0' },
    createdAt: options.at ?? '2026-01-01T00:00:00.000Z',
    target: { url: 'http://192.168.1.10:32400', name: options.name ?? 'Living room', machineIdentifier: 'abc' },
    context: { tokenProvided: true, plexTv: true, experiments: [] },
    verdict: {
      status: shape === 'broken' ? 'problems' : shape === 'inconclusive' ? 'inconclusive' : 'ok',
      missing: [],
    },
    summary: {
      verdict: shape === 'broken' ? 'problems' : shape === 'inconclusive' ? 'inconclusive' : 'ok',
      status: shape === 'broken' ? 'error' : 'ok',
      errors: diagnoses.length,
      warnings: 0,
      infos: 0,
      rootCauses: diagnoses.length,
      checks: { passed: 39, failed: diagnoses.length, 'not-checked': 0, crashed: 0, off: 0 },
    },
    diagnoses,
    checks: checks(shape, rootRule),
    observations,
    timing: { collectMs: 1234 },
    path: path(shape, text),
  };
}
