// Every built-in rule has its documentation page (header in step with meta, hand-written sections filled in) and its
// table-driven test. Adding a rule without either fails here (ESLint's checkRuleFiles, typescript-eslint's docs.test).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../src/rules/builtin/index.js';
import { REQUIRED_SECTIONS, renderRulesIndex, ruleDocsUrl, withHeader } from '../src/rules/docs-header.js';

const root = join(import.meta.dirname, '..');

describe('rule documentation and tests', () => {
  it('has an index in step with the catalogue', () => {
    expect(readFileSync(join(root, 'docs/rules/README.md'), 'utf8')).toBe(renderRulesIndex(builtinRules));
  });

  for (const rule of builtinRules) {
    describe(rule.id, () => {
      const page = join(root, 'docs/rules', `${rule.id}.md`);

      it('has a docs page whose generated header matches its meta', () => {
        expect(existsSync(page), `missing ${page}`).toBe(true);
        const text = readFileSync(page, 'utf8');
        expect(withHeader(text, rule), 'header out of date: run npm run docs:gen').toBe(text);
      });

      it('has every hand-written section, filled in', () => {
        const text = readFileSync(page, 'utf8');
        for (const section of REQUIRED_SECTIONS) {
          const match = new RegExp(`^## ${section}\\n([\\s\\S]*?)(?=^## |$(?![\\s\\S]))`, 'm').exec(text);
          expect(match, `${rule.id}: missing "## ${section}"`).not.toBeNull();
          const body = match![1]!.trim();
          expect(body.length, `${rule.id}: "## ${section}" is empty`).toBeGreaterThan(40);
          expect(body, `${rule.id}: "## ${section}" is a placeholder`).not.toMatch(/^TODO/);
        }
      });

      it('links to its docs page', () => {
        expect(rule.meta.docsUrl).toBe(ruleDocsUrl(rule.id));
      });

      it('has a table-driven test', () => {
        expect(existsSync(join(root, 'test/rules/builtin', `${rule.id}.test.ts`)), `missing test for ${rule.id}`).toBe(
          true,
        );
      });
    });
  }
});
