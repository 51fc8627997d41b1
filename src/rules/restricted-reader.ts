/**
 * The rule contract, enforced: a rule reads only the observations its meta declares (`requires` + `uses`). What a rule
 * declares is what `collect` runs, so an undeclared read is a rule that works in a test with a full snapshot and reads
 * nothing in a real run that collected only what the rules asked for. Failing loudly at the read makes that a crash
 * in the first test that exercises the path, not a silent "passed" in the field.
 */
import { createReader, type ObservationMap, type ObservationReader } from '../collect/define-collector.js';
import type { AnyRule } from './types.js';

/** A rule read an observation it did not declare. The engine reports the rule as crashed with this message. */
export class UndeclaredObservationError extends Error {
  override name = 'UndeclaredObservationError';
  constructor(
    readonly ruleId: string,
    readonly observationId: string,
  ) {
    super(`rule "${ruleId}" read "${observationId}" without declaring it in meta.requires or meta.uses`);
  }
}

export interface RestrictedReader extends ObservationReader {
  /** The first undeclared read, kept even when the rule caught the error it threw (a swallowed throw still counts). */
  violation(): UndeclaredObservationError | undefined;
}

export function restrictedReader(rule: AnyRule, observations: ObservationMap): RestrictedReader {
  const declared = new Set<string>([...rule.meta.requires, ...(rule.meta.uses ?? [])]);
  const reader = createReader(observations);
  let first: UndeclaredObservationError | undefined;
  const guard = (id: string): void => {
    if (declared.has(id)) return;
    const error = new UndeclaredObservationError(rule.id, id);
    first ??= error;
    throw error;
  };
  return {
    get: (id) => {
      guard(id);
      return reader.get(id);
    },
    observation: (id) => {
      guard(id);
      return reader.observation(id);
    },
    violation: () => first,
  };
}
