import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { analyze, readSnapshot } from '../../diagnose.js';
import { UsageError } from '../../errors.js';
import { exitCodeFor } from '../../report/exit-code.js';
import { builtinRules } from '../../rules/builtin/index.js';
import type { CommandContext } from '../main.js';
import { loadUserExtensions } from '../load-rules.js';
import { renderReport } from '../render.js';
import { outputSettings, ruleSettings } from '../settings.js';

const MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024;

export default async function analyzeCommand({ values, positionals, output }: CommandContext): Promise<number> {
  const settings = outputSettings(values);
  const rules = ruleSettings(values);
  const extensions = await loadUserExtensions(rules.modules, output.streams.cwd);
  const file = positionals[0]!;
  let text: string;
  try {
    const buffer = await readFile(file === '-' ? '/dev/stdin' : resolve(output.streams.cwd, file));
    if (buffer.length > MAX_SNAPSHOT_BYTES) throw new UsageError(`${file} is larger than ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MB: not a snapshot`);
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file} (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
  const snapshot = readSnapshot(text, { collectors: extensions.collectors });
  const report = analyze(snapshot, { rules: [...builtinRules, ...extensions.rules], ruleConfig: rules.ruleConfig, ...(rules.only ? { only: rules.only } : {}) });
  output.out(renderReport(report, output, settings));
  return exitCodeFor(report, settings.failOn);
}
