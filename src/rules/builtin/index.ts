// The built-in rule catalogue, in the order ties are broken in the report. One rule a file, named by its id;
// each has test/rules/builtin/<id>.test.ts and docs/rules/<id>.md (test/docs.test.ts enforces both).
import { ruleDocsUrl } from '../docs-header.js';
import type { AnyRule } from '../types.js';
import mappingFailed from './mapping-failed.js';

function withDocsUrl(rule: AnyRule): AnyRule {
  return { ...rule, meta: { ...rule.meta, docsUrl: ruleDocsUrl(rule.id) } };
}

export const builtinRules: readonly AnyRule[] = [mappingFailed].map(withDocsUrl);
