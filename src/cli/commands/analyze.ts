import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { analyze, readSnapshot } from '../../diagnose/diagnose.js';
import { UsageError } from '../../core/errors.js';
import { exitCodeFor } from '../../report/exit-code.js';
import { builtinRules } from '../../rules/builtin/index.js';
import type { CommandContext } from '../command-context.js';
import { loadUserExtensions } from '../load-user-rules.js';
import { renderReport } from '../render-report.js';
import { outputSettings, ruleSettings } from '../validate-flags.js';

const MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024;

/**
 * `analyze -`: the snapshot from the stdin stream. Not by opening /dev/stdin: that fails with ENXIO when stdin is a
 * socket, which is what Node's child_process (and so many scripts and CI runners) hands a child as a pipe.
 */
async function readStdin(stdin: CommandContext['output']['streams']['stdin']): Promise<Buffer> {
  if (stdin.isTTY)
    throw new UsageError(
      'analyze - reads the snapshot from stdin: pipe one in (`plex-diagnose collect | plex-diagnose analyze -`)',
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    // One byte past the limit is enough to refuse it; the rest is not read into memory.
    if (size > MAX_SNAPSHOT_BYTES) return Buffer.concat([...chunks, buffer]);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export default async function analyzeCommand({ values, positionals, output }: CommandContext): Promise<number> {
  const settings = outputSettings(values);
  const rules = ruleSettings(values);
  const extensions = await loadUserExtensions(rules.modules, output.streams.cwd);
  const file = positionals[0]!;
  let text: string;
  try {
    const buffer =
      file === '-' ? await readStdin(output.streams.stdin) : await readFile(resolve(output.streams.cwd, file));
    if (buffer.length > MAX_SNAPSHOT_BYTES)
      throw new UsageError(`${file} is larger than ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MB: not a snapshot`);
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read ${file === '-' ? 'the snapshot from stdin' : file} (${(error as { code?: string }).code ?? (error as Error).message})`,
    );
  }
  const snapshot = readSnapshot(text, { collectors: extensions.collectors });
  const report = analyze(snapshot, {
    rules: [...builtinRules, ...extensions.rules],
    ruleConfig: rules.ruleConfig,
    ...(rules.only ? { only: rules.only } : {}),
  });
  output.out(renderReport(report, output, settings));
  return exitCodeFor(report, settings.failOn);
}
