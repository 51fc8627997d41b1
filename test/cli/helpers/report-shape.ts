/**
 * The shape of `--json` (the Report, src/core/report.ts), as a zod schema the tests parse the CLI's stdout with. The
 * library has no zod schema of its own for the Report (it is an output, never read back), so this one is written from
 * the types; a field renamed there makes these tests fail.
 */
import { z } from 'zod';

const Evidence = z.strictObject({
  source: z.string(),
  observed: z.string(),
  expected: z.string().optional(),
  declared: z.boolean().optional(),
});
const CheckStatus = z.enum(['passed', 'failed', 'not-checked', 'crashed', 'off']);

export const CliCandidate = z.strictObject({
  ruleId: z.string(),
  messageId: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).optional()),
  likelihood: z.enum(['high', 'medium', 'low']),
  for: z.array(Evidence).min(1),
  against: z.array(Evidence),
  nextStep: z.strictObject({ kind: z.enum(['command', 'router-page', 'question', 'action']), text: z.string().min(1) }),
});
const Value = z.union([z.string(), z.number(), z.boolean()]).optional();

export const CliDiagnosis = z.strictObject({
  ruleId: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  category: z.string(),
  title: z.string(),
  messageId: z.string(),
  message: z.string(),
  data: z.record(z.string(), Value),
  evidence: z.array(Evidence),
  confidence: z.enum(['high', 'medium', 'low']),
  fix: z
    .strictObject({
      fixId: z.string(),
      message: z.string(),
      data: z.record(z.string(), Value),
      actions: z.array(z.looseObject({ type: z.enum(['set-pref', 'edit-list']), pref: z.string() })),
    })
    .optional(),
  rank: z.enum(['root-cause', 'contributing', 'info']),
  explainedBy: z.array(z.string()),
  docsUrl: z.string().optional(),
});

export const CliReport = z.strictObject({
  schemaVersion: z.literal(1),
  tool: z.strictObject({ name: z.literal('plex-diagnose'), version: z.string() }),
  createdAt: z.iso.datetime(),
  target: z.looseObject({ url: z.string(), machineIdentifier: z.string().optional(), name: z.string().optional() }),
  context: z.looseObject({ tokenProvided: z.boolean(), plexTv: z.boolean(), experiments: z.array(z.string()) }),
  summary: z.strictObject({
    verdict: z.enum(['ok', 'problems', 'inconclusive']),
    status: z.enum(['ok', 'error', 'warning', 'info']),
    errors: z.number().int(),
    warnings: z.number().int(),
    infos: z.number().int(),
    rootCauses: z.number().int(),
    checks: z.record(CheckStatus, z.number().int()),
  }),
  verdict: z.strictObject({
    status: z.enum(['ok', 'problems', 'inconclusive']),
    missing: z.array(
      z.strictObject({
        decides: z.string(),
        ruleIds: z.array(z.string()),
        reason: z.string(),
        howToCheck: z.string().optional(),
      }),
    ),
  }),
  diagnoses: z.array(CliDiagnosis),
  differential: z.strictObject({ candidates: z.array(CliCandidate).min(1) }).optional(),
  checks: z.array(
    z.strictObject({
      ruleId: z.string(),
      title: z.string(),
      category: z.string(),
      severity: z.enum(['error', 'warning', 'info']),
      status: CheckStatus,
      reason: z.string().optional(),
      howToCheck: z.string().optional(),
      evidence: z.array(Evidence).min(1).optional(),
      decides: z.string().optional(),
      findings: z.number().int(),
    }),
  ),
  observations: z.array(
    z.strictObject({
      id: z.string(),
      status: z.enum(['ok', 'failed', 'skipped']),
      durationMs: z.number(),
      error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
      reason: z.string().optional(),
    }),
  ),
  timing: z.strictObject({ collectMs: z.number() }),
  path: z
    .strictObject({ hops: z.array(z.looseObject({ kind: z.string(), label: z.string(), status: z.string() })) })
    .optional(),
  snapshot: z.unknown().optional(),
});
export type CliReport = z.infer<typeof CliReport>;

/** Parses stdout as the Report; the failure message shows what was printed instead. */
export function parseReport(stdout: string): CliReport {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch {
    throw new Error(`stdout is not JSON:\n${stdout.slice(0, 2000)}`);
  }
  return CliReport.parse(data);
}

/** `ruleId/messageId` of each diagnosis, in report order. */
export const findings = (report: CliReport): string[] => report.diagnoses.map((d) => `${d.ruleId}/${d.messageId}`);
