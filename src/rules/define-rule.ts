import type { Rule } from './types.js';

/**
 * Identity helper: infers message and fix ids, so `context.report({ messageId })` is checked against `meta.messages`.
 * Rule ids are kebab-case and permanent (they are the docs slug and the config key).
 */
export function defineRule<const MessageIds extends string, const FixIds extends string = never, Options = unknown>(
  rule: Rule<MessageIds, FixIds, Options>,
): Rule<MessageIds, FixIds, Options> {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*)?$/.test(rule.id)) {
    throw new TypeError(`rule id "${rule.id}" must be kebab-case (optionally "plugin/rule-id")`);
  }
  return rule;
}
