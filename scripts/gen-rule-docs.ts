/**
 * Regenerates docs/rules/README.md and the header of every docs/rules/<id>.md from the built-in rules' meta.
 * `--check` changes nothing and exits 1 when a page is missing or out of date (run in CI).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinRules } from '../src/rules/builtin/index.js';
import { renderRulesIndex, withHeader } from '../src/rules/docs-header.js';

const check = process.argv.includes('--check');
const dir = join(import.meta.dirname, '..', 'docs', 'rules');
const stale: string[] = [];

const pages: [string, string][] = [[join(dir, 'README.md'), renderRulesIndex(builtinRules)]];
for (const rule of builtinRules) {
  const file = join(dir, `${rule.id}.md`);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  pages.push([file, withHeader(current, rule)]);
}
for (const [file, wanted] of pages) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === wanted) continue;
  stale.push(file);
  if (!check) writeFileSync(file, wanted);
}
if (check && stale.length > 0) {
  console.error(`Rule docs are out of date (run \`npm run docs:gen\`):\n${stale.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(check ? `rule docs OK (${builtinRules.length} rules)` : `rule docs: ${stale.length} file(s) written`);
