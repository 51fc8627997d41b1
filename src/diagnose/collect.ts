/**
 * collect(options) → Snapshot: the collectors the enabled rules need (or use), and nothing else. Deciding that needs
 * the rules, so it lives here, above both the collect and the rules layer.
 */
import { builtinRules } from '../rules/builtin/index.js';
import { collectorsFor, resolveRules } from '../rules/config.js';
import type { AnyRule, RuleConfig } from '../rules/types.js';
import { collectSnapshot, type CollectSnapshotOptions } from '../collect/collect-snapshot.js';
import type { Snapshot } from '../core/snapshot.js';

export interface CollectOptions extends Omit<CollectSnapshotOptions, 'collectorIds'> {
  /** The rules whose needs decide which collectors run. @default builtinRules */
  rules?: readonly AnyRule[];
  /** Per-rule config: rules turned off do not cause collection. @default {} */
  ruleConfig?: RuleConfig;
  /** Only rules of these categories (and so only their collectors). @default all */
  only?: readonly string[];
}

export { DEFAULT_COLLECTOR_TIMEOUT_MS } from '../collect/collect-snapshot.js';

/** Collects exactly the evidence the enabled rules need. */
export async function collect(options: CollectOptions): Promise<Snapshot> {
  const { rules, ruleConfig, only, ...rest } = options;
  const resolved = resolveRules(rules ?? builtinRules, ruleConfig, only);
  return collectSnapshot({ ...rest, collectorIds: collectorsFor(resolved) });
}
