// The built-in rule catalogue, in the order ties are broken in the report. One rule a file, named by its id;
// each has test/rules/builtin/<id>.test.ts and docs/rules/<id>.md (test/docs.test.ts enforces both).
import type { AnyRule } from '../types.js';

export const builtinRules: readonly AnyRule[] = [];
