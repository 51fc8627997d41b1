import { createInterface } from 'node:readline/promises';
import type { CliStreams } from './output.js';

/** Asks a question on a TTY; resolves undefined when input is not a terminal or the run is aborted. */
export async function ask(streams: CliStreams, question: string): Promise<string | undefined> {
  if (!streams.stdin.isTTY) return undefined;
  const rl = createInterface({ input: streams.stdin, output: streams.stderr });
  try {
    return (await rl.question(question, { signal: streams.signal })).trim();
  } catch {
    return undefined;
  } finally {
    rl.close();
  }
}

export async function confirm(streams: CliStreams, question: string): Promise<boolean> {
  const answer = await ask(streams, `${question} [y/N] `);
  return answer !== undefined && /^y(es)?$/i.test(answer);
}
