import { resolve } from 'node:path';
import { analyze, readSnapshot } from '../../diagnose/diagnose.js';
import { UsageError } from '../../core/errors.js';
import { readFileCapped, readStreamCapped, type CappedRead } from '../../core/util/read-capped.js';
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
function readStdin(output: CommandContext['output']): Promise<CappedRead> {
  const { stdin, signal } = output.streams;
  if (stdin.isTTY)
    throw new UsageError(
      'analyze - reads the snapshot from stdin: pipe one in (`plex-diagnose collect | plex-diagnose analyze -`)',
    );
  return readStreamCapped(stdin, { maxBytes: MAX_SNAPSHOT_BYTES, signal });
}

/**
 * The cap holds for every kind of file: a device (/dev/zero, /dev/urandom), a FIFO or /proc reports no useful size,
 * so the bytes are counted as they come. The interrupt signal ends a read that blocks (a FIFO nobody writes to).
 */
async function readSnapshotText(file: string, output: CommandContext['output']): Promise<string> {
  let read: CappedRead;
  try {
    read =
      file === '-'
        ? await readStdin(output)
        : await readFileCapped(resolve(output.streams.cwd, file), {
            maxBytes: MAX_SNAPSHOT_BYTES,
            signal: output.streams.signal,
          });
  } catch (error) {
    if (error instanceof UsageError || output.streams.signal.aborted) throw error;
    throw new UsageError(
      `cannot read ${file === '-' ? 'the snapshot from stdin' : file} (${(error as { code?: string }).code ?? (error as Error).message})`,
    );
  }
  if (read.status === 'too-large')
    throw new UsageError(
      `${file === '-' ? 'stdin' : file} is larger than ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MB: not a snapshot (reading stopped there)`,
    );
  return read.buffer.toString('utf8');
}

export default async function analyzeCommand({ values, positionals, output }: CommandContext): Promise<number> {
  const settings = outputSettings(values);
  const rules = ruleSettings(values);
  const extensions = await loadUserExtensions(rules.modules, output.streams.cwd);
  const file = positionals[0]!;
  const text = await readSnapshotText(file, output);
  const snapshot = readSnapshot(text, { collectors: extensions.collectors });
  const report = analyze(snapshot, {
    rules: [...builtinRules, ...extensions.rules],
    ruleConfig: rules.ruleConfig,
    ...(rules.only ? { only: rules.only } : {}),
  });
  output.out(renderReport(report, output, settings));
  return exitCodeFor(report, settings.failOn);
}
