import { writeFile } from 'node:fs/promises';
import { collect } from '../../diagnose/collect.js';
import { UsageError } from '../../core/errors.js';
import type { CommandContext } from '../command-context.js';
import { prepareRun } from '../prepare-run.js';
import { createProgress } from '../spinner.js';
import { describeExperiment } from './diagnose.js';

export default async function collectCommand({ values, output }: CommandContext): Promise<number> {
  const progress = createProgress(output);
  try {
    const run = await prepareRun(values, output, progress);
    const snapshot = await collect({ ...run.collectOptions, redactIps: values['redact-ips'] === true });
    for (const result of await run.settled()) progress.note(describeExperiment(result));
    if (output.streams.signal.aborted) return 130;
    const text = `${JSON.stringify(snapshot, null, 2)}\n`;
    const file = typeof values.output === 'string' ? values.output : undefined;
    progress.stop();
    if (!file || file === '-') {
      output.out(text);
      return 0;
    }
    try {
      await writeFile(file, text, { mode: 0o600 });
    } catch (error) {
      throw new UsageError(`cannot write ${file} (${(error as { code?: string }).code ?? (error as Error).message})`);
    }
    output.err(`snapshot written to ${file}: analyze it with \`plex-diagnose analyze ${file}\`\n`);
    return 0;
  } finally {
    progress.stop();
  }
}
