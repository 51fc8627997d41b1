// vitest runs without globals here; RuleTester (like ESLint's) registers its cases with the global describe/it, so
// these two are put on globalThis for every test file. Only these two: tests still import what they use from vitest.
import { describe, it } from 'vitest';

Object.assign(globalThis, { describe, it });
