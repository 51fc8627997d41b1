/**
 * ESLint for plex-diagnose: typescript-eslint's `recommendedTypeChecked`, plus a few rules this codebase depends on.
 *
 * Why `recommendedTypeChecked`:
 * - Type-aware (through `projectService`, one TypeScript program shared with `tsc`): the bugs that matter in a network
 *   tool are promise bugs (a probe whose rejection nobody awaits, an async handler passed where a sync callback is
 *   expected) and `any` leaking out of parsed bytes; only rules that see types can catch those.
 * - "Recommended" is the set typescript-eslint promises is about correctness, not taste, and is stable across minor
 *   releases, so an upgrade does not turn CI red over style.
 *
 * Why not `strictTypeChecked`: it adds opinionated rules (no-non-null-assertion, restrict-template-expressions on
 * numbers, no-unnecessary-condition, ...) that fight idioms this code uses deliberately: `!` after a length check under
 * `noUncheckedIndexedAccess`, numbers in messages, defensive checks on untrusted input the types claim cannot happen
 * (zod-validated shapes still meet hand-built test snapshots). Those would be either a large refactor or many
 * disables; neither buys correctness here. Not `stylistic`: Prettier owns formatting.
 *
 * What we add on top:
 * - `no-floating-promises` / `no-misused-promises` are already in the preset; they are named here as `error` on
 *   purpose: an un-awaited probe or an async listener on a socket is how a diagnosis silently hangs or loses a result.
 * - `consistent-type-imports` (inline style): matches `verbatimModuleSyntax`, which already requires type-only imports
 *   to be marked; the rule makes the fixer do it and keeps one style (`import { x, type T }`).
 * - `switch-exhaustiveness-check`: observation statuses, verdicts and error codes are unions; a new member must not
 *   fall through a switch unhandled.
 * - `no-unused-vars` with `_` as the deliberate-unused prefix (callback arity, destructuring a field away).
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Generated output, captured fixtures (test/fixtures holds payloads and the architecture test's fake tree, which
    // contains a deliberate cycle), and the namespace lab's scratch directory.
    ignores: [
      'node_modules/',
      'dist/',
      '.test-dist/',
      'coverage/',
      '.lab/',
      'test/fixtures/',
      'test/hardening/fixtures/',
    ],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'docs/examples/**/*.ts', '*.config.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, allowDefaultCaseForExhaustiveSwitch: true },
      ],
      // Closures that are defined before the value they read exists (a fake server's state, set once it listens)
      // need `let`; the rule's default asks for a const that would be read before initialisation.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Tests, and the benches that drive the library with the same kind of fakes.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'docs/examples/**/*.test.ts'],
    rules: {
      // Test doubles implement the library's async interfaces (collectors, notifiers, token sources, fake hosts) as
      // `async () => value`: that is the shape the interface asks for, and `Promise.resolve(value)` in ~50 places is
      // noise. The bug require-await guards against (a promise nobody awaits) is still caught by no-floating-promises.
      '@typescript-eslint/require-await': 'off',
      // Asymmetric matchers (`expect.stringContaining(...)`, `expect.any(...)`) are typed `any` by vitest, and a test
      // that parses a body it just received pokes into it to assert its shape: there the `expect` is the type check.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Tests assert on ANSI escapes and control characters: the very bytes the output boundary must neutralise.
      'no-control-regex': 'off',
    },
  },
  {
    // The tool configs themselves: plain JavaScript outside every tsconfig, so no type information.
    files: ['eslint.config.js', '.dependency-cruiser.cjs'],
    extends: [js.configs.recommended, tseslint.configs.disableTypeChecked],
  },
  {
    files: ['.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
);
