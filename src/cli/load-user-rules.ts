/**
 * `--rules <module>`: user rules and collectors from a JS or TS module. A module exports `rules` and/or
 * `collectors` (named or on a default object), a default array of rules, or a single default rule. TypeScript
 * modules load through tsx when the project has it (Node 20 cannot strip types itself).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { AnyCollector } from '../collect/define-collector.js';
import { UsageError } from '../core/errors.js';
import type { PathHop } from '../core/report.js';
import type { AnyRule } from '../rules/types.js';

// Every hop kind a rule's meta may name; typed so a hop added to PathHop (or misspelt here) is a compile error.
const HOP_KINDS: { [Kind in PathHop['kind']]: Kind } = {
  server: 'server',
  'container-bridge': 'container-bridge',
  router: 'router',
  'upstream-nat': 'upstream-nat',
  public: 'public',
  internet: 'internet',
};

const RuleShape = z.looseObject({
  id: z.string().min(1),
  meta: z.looseObject({
    severity: z.enum(['error', 'warning', 'info']),
    category: z.string().min(1),
    title: z.string().min(1),
    requires: z.array(z.string()),
    uses: z.array(z.string()).optional(),
    messages: z.record(z.string(), z.string()),
    fixes: z.record(z.string(), z.string()).optional(),
    hop: z.enum(HOP_KINDS).optional(),
    // A zod schema, possibly from the module's own copy of zod: checked by shape, not instanceof.
    options: z
      .custom<object>((value) => typeof (value as { safeParse?: unknown } | null)?.safeParse === 'function', {
        message: 'must be a zod schema',
      })
      .optional(),
  }),
  evaluate: z.custom<(...args: unknown[]) => unknown>((value) => typeof value === 'function', 'must be a function'),
});

const CollectorShape = z.looseObject({
  id: z.string().min(1),
  title: z.string().min(1),
  needs: z.array(z.string()).optional(),
  after: z.array(z.string()).optional(),
  collect: z.custom<(...args: unknown[]) => unknown>((value) => typeof value === 'function', 'must be a function'),
});

export interface UserExtensions {
  rules: AnyRule[];
  collectors: AnyCollector[];
}

/**
 * The URL of tsx's ESM API (`tsx/esm/api` under the import condition): from the user's project first (a TypeScript
 * rule pack brings its own tsx), else next to the CLI. Not `require.resolve('tsx/esm/api')`: that picks the CommonJS
 * entry, whose tsImport fails to find its own ESM half (tsx 4.23: "Cannot find module .../dist/esm/api/esm/index.mjs").
 */
function tsxEsmApi(cwd: string): string | undefined {
  // The CLI's own location rather than `import.meta.resolve`: the CLI is built as CommonJS (tsup.config.ts), where
  // esbuild has no import.meta.resolve; reading the exports map the same way gives the same file.
  return tsxEsmApiFrom(join(cwd, 'package.json')) ?? tsxEsmApiFrom(fileURLToPath(import.meta.url));
}

function tsxEsmApiFrom(base: string): string | undefined {
  try {
    const manifest = createRequire(base).resolve('tsx/package.json');
    const entry = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }).exports?.[
      './esm/api'
    ] as string | { import?: string | { default?: string } } | undefined;
    const target =
      typeof entry === 'string' ? entry : typeof entry?.import === 'string' ? entry.import : entry?.import?.default;
    return target ? pathToFileURL(join(dirname(manifest), target)).href : undefined;
  } catch {
    return undefined;
  }
}

async function importModule(file: string, cwd: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (['.ts', '.mts', '.cts'].includes(extname(file))) {
    const api = tsxEsmApi(cwd);
    if (!api)
      throw new UsageError(
        `--rules ${file}: loading a TypeScript module needs tsx in your project (npm i -D tsx), or compile it to .js`,
      );
    const { tsImport } = (await import(api)) as {
      tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>;
    };
    return tsImport(url, import.meta.url);
  }
  return (await import(url)) as Record<string, unknown>;
}

function looksLikeRule(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'meta' in value && 'evaluate' in value;
}

function extract(module: Record<string, unknown>): { rules: unknown[]; collectors: unknown[] } {
  const base = (module.default ?? module) as unknown;
  if (Array.isArray(base)) return { rules: base, collectors: [] };
  if (looksLikeRule(base)) return { rules: [base], collectors: [] };
  const source = base as Record<string, unknown>;
  const rules = source.rules ?? module.rules ?? [];
  const collectors = source.collectors ?? module.collectors ?? [];
  return {
    rules: Array.isArray(rules) ? rules : [rules],
    collectors: Array.isArray(collectors) ? collectors : [collectors],
  };
}

function validate<T>(schema: z.ZodType, items: unknown[], what: string, file: string): T[] {
  return items.map((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) return item as T;
    const issue = result.error.issues[0]!;
    throw new UsageError(
      `--rules ${file}: ${what} #${index + 1} is not valid (${[...issue.path].join('.') || '(root)'}: ${issue.message})`,
    );
  });
}

export async function loadUserExtensions(paths: readonly string[], cwd: string): Promise<UserExtensions> {
  const out: UserExtensions = { rules: [], collectors: [] };
  for (const path of paths) {
    const file = isAbsolute(path) ? path : resolve(cwd, path);
    if (!existsSync(file)) throw new UsageError(`--rules ${path}: no such file`);
    let module: Record<string, unknown>;
    try {
      module = await importModule(file, cwd);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(
        `--rules ${path}: the module failed to load (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
        { cause: error },
      );
    }
    const found = extract(module);
    if (found.rules.length === 0 && found.collectors.length === 0)
      throw new UsageError(`--rules ${path}: the module exports no rules or collectors`);
    out.rules.push(...validate<AnyRule>(RuleShape, found.rules, 'rule', path));
    out.collectors.push(...validate<AnyCollector>(CollectorShape, found.collectors, 'collector', path));
  }
  return out;
}
