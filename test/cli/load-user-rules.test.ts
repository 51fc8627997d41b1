// What --rules accepts of a rule's meta beyond the basics: a hop of the path picture, and an options schema.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadUserExtensions } from '../../src/cli/load-user-rules.js';

const dir = mkdtempSync(join(tmpdir(), 'plexdiag-user-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const moduleWith = (name: string, metaExtra: string): string => {
  writeFileSync(
    join(dir, name),
    `export default { id: 'local/r', meta: { severity: 'error', category: 'local', title: 'A local rule', requires: [], messages: { m: 'msg' }${metaExtra} }, evaluate() {} };\n`,
  );
  return name;
};

describe('loadUserExtensions: meta.hop and meta.options', () => {
  it('loads a rule that names a hop and gives an options schema', async () => {
    const schema = `, hop: 'router', options: { safeParse: (v) => ({ success: true, data: v }) }`;
    const { rules } = await loadUserExtensions([moduleWith('good.mjs', schema)], dir);
    expect(rules.map((r) => [r.id, r.meta.hop])).toEqual([['local/r', 'router']]);
  });

  it('refuses a hop that is not on the path picture', async () => {
    await expect(loadUserExtensions([moduleWith('hop.mjs', ", hop: 'roof'")], dir)).rejects.toThrow(
      /rule #1 is not valid \(meta\.hop: /,
    );
  });

  it('refuses options that are not a schema', async () => {
    await expect(loadUserExtensions([moduleWith('opts.mjs', ', options: { limit: 3 }')], dir)).rejects.toThrow(
      /rule #1 is not valid \(meta\.options: must be a zod schema\)/,
    );
  });
});
