/**
 * The library's front door: diagnose(options) = analyze(await collect(options)). `analyze` is pure and synchronous,
 * so a snapshot collected on the server's host can be analyzed anywhere and gives the same report.
 */
import { builtinCollectors } from '../collect/builtin/index.js';
import { collect, type CollectOptions } from './collect.js';
import { loadSnapshot, type Snapshot } from '../core/snapshot.js';
import { builtinRules } from '../rules/builtin/index.js';
import { evaluateRules } from '../rules/engine.js';
import type { AnyRule, RuleConfig } from '../rules/types.js';
import type { AnyCollector } from '../collect/define-collector.js';
import { describePath } from '../rules/path.js';
import type { Report } from '../core/report.js';

export interface AnalyzeOptions {
  /** The rules to run. To add your own: `[...builtinRules, myRule]`. @default builtinRules */
  rules?: readonly AnyRule[];
  /** Per-rule overrides: 'off', a severity, or `{ severity, options }`. @default {} */
  ruleConfig?: RuleConfig;
  /** Only rules of these categories. @default all */
  only?: readonly string[];
  /** Attach the snapshot to the report. @default false */
  includeSnapshot?: boolean;
}

/** Runs the rules over a snapshot. Pure: no I/O, no clock. */
export function analyze(snapshot: Snapshot, options: AnalyzeOptions = {}): Report {
  const rules = options.rules ?? builtinRules;
  const report = evaluateRules(snapshot, { ...options, rules });
  const path = describePath(snapshot, report.diagnoses, rules);
  return path ? { ...report, path } : report;
}

/** Parses and validates a snapshot file's text (or parsed JSON) against the built-in and given collectors. */
export function readSnapshot(
  input: string | unknown,
  options: { collectors?: readonly AnyCollector[] } = {},
): Snapshot {
  return loadSnapshot(input, { collectors: [...builtinCollectors, ...(options.collectors ?? [])] });
}

export type DiagnoseOptions = CollectOptions & AnalyzeOptions;

/** Collects the evidence and runs the rules: the whole diagnosis in one call. */
export async function diagnose(options: DiagnoseOptions): Promise<Report> {
  return analyze(await collect(options), options);
}
