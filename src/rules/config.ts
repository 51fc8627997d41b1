import { UsageError } from '../core/errors.js';
import type { AnyRule, RuleConfig, Severity } from './types.js';

export interface ResolvedRule {
  rule: AnyRule;
  /** The effective severity, or 'off'. */
  severity: Severity | 'off';
  options: unknown;
  order: number;
}

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

/**
 * Applies ESLint-style configuration to a rule list: turn off, change severity, pass options, keep only some
 * categories. Unknown rule ids in the config are a usage error: a typo must not silently do nothing.
 */
export function resolveRules(
  rules: readonly AnyRule[],
  config: RuleConfig = {},
  only?: readonly string[],
): ResolvedRule[] {
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) throw new UsageError(`two rules have the id "${rule.id}"`);
    ids.add(rule.id);
  }
  for (const [id, setting] of Object.entries(config)) {
    if (!ids.has(id)) throw new UsageError(`rule config names an unknown rule "${id}"`);
    const severity = typeof setting === 'string' ? setting : setting.severity;
    if (severity !== undefined && !SEVERITIES.has(severity)) {
      throw new UsageError(`rule "${id}": severity must be off, info, warning or error, not "${String(severity)}"`);
    }
  }
  if (only) {
    const categories = new Set(rules.map((rule) => rule.meta.category));
    const unknown = only.filter((category) => !categories.has(category));
    if (unknown.length > 0) {
      throw new UsageError(
        `unknown categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((c) => `"${c}"`).join(', ')}; known: ${[...categories].sort().join(', ')}`,
      );
    }
  }
  return rules
    .map((rule, order) => {
      const setting = config[rule.id];
      const severity = (typeof setting === 'string' ? setting : setting?.severity) ?? rule.meta.severity;
      const options = resolveOptions(rule, typeof setting === 'object' ? setting.options : undefined);
      return { rule, severity, options, order };
    })
    .filter((resolved) => !only || only.includes(resolved.rule.meta.category));
}

/**
 * Validates a rule's configured options against `meta.options` and applies its defaults (ESLint validates rule options
 * against `meta.schema` the same way). A bad option fails the run up front: silently falling back to a default would
 * answer a question the user did not ask. Rules that are off are checked too: the config is wrong either way.
 */
function resolveOptions(rule: AnyRule, raw: unknown): unknown {
  const schema = rule.meta.options;
  if (!schema) {
    if (raw === undefined) return undefined;
    throw new UsageError(`rule "${rule.id}" takes no options: remove "options" from its config`);
  }
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${['options', ...issue.path.map(String)].join('.')}: ${issue.message}`);
  throw new UsageError(`rule "${rule.id}" has a bad option: ${issues.join('; ')}`, { cause: parsed.error });
}

/** The collectors the enabled rules need or use: exactly what `collect` runs. */
export function collectorsFor(resolved: readonly ResolvedRule[]): string[] {
  const ids = new Set<string>();
  for (const { rule, severity } of resolved) {
    if (severity === 'off') continue;
    for (const id of [...rule.meta.requires, ...(rule.meta.uses ?? [])]) ids.add(id);
  }
  return [...ids];
}
