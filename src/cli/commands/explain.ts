import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.js';
import { builtinRules } from '../../rules/builtin/index.js';
import { HEADER_END, HEADER_START } from '../../rules/docs-header.js';
import type { CommandContext } from '../command-context.js';

/** docs/rules ships in the package; from src/ (tests) and from dist/ (users) it is two or one levels up. */
function docsFile(id: string): string | undefined {
  for (const relative of ['../docs/rules/', '../../docs/rules/', '../../../docs/rules/']) {
    const path = fileURLToPath(new URL(`${relative}${id}.md`, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

// Async on purpose: a usage error thrown below becomes a rejection, as in every other command, so the caller's error
// path is the same for all of them.
// eslint-disable-next-line @typescript-eslint/require-await -- see the comment above
export default async function explainCommand({ positionals, output }: CommandContext): Promise<number> {
  const id = positionals[0]!;
  const rule = builtinRules.find((r) => r.id === id);
  if (!rule) {
    // Ids that contain what was typed, or share a word with it ("isp-blocks" → isp-blocks-port); short words such as
    // "no" would match unrelated rules.
    const words = id.split('-').filter((word) => word.length >= 3);
    const close = builtinRules
      .filter((r) => r.id.includes(id) || r.id.split('-').some((word) => words.includes(word)))
      .map((r) => r.id);
    throw new UsageError(
      `no rule "${id}"${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}; \`plex-diagnose rules\` lists them`,
    );
  }
  const file = docsFile(id);
  const body = file ? readFileSync(file, 'utf8') : undefined;
  output.out(`${rule.id} (${rule.meta.severity}, ${rule.meta.category}): ${rule.meta.title}\n\n`);
  if (body) {
    const start = body.indexOf(HEADER_START);
    const end = body.indexOf(HEADER_END);
    const prose = start >= 0 && end > start ? body.slice(end + HEADER_END.length) : body;
    output.out(`${prose.trim()}\n`);
  }
  output.out(
    `\nMessages:\n${Object.entries(rule.meta.messages)
      .map(([key, text]) => `  ${key}: ${text}`)
      .join('\n')}\n`,
  );
  if (rule.meta.docsUrl) output.out(`\n${rule.meta.docsUrl}\n`);
  return 0;
}
