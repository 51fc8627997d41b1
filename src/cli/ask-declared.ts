/**
 * One short question on a terminal when the fact that decides remote access is missing (issue 12 item 3): no probe
 * reached the server from outside and the user did not say, so the verdict is inconclusive; the user usually knows
 * (a phone on mobile data plays or it doesn't). The answer enters the snapshot as the same `declared.remoteAccess`
 * observation `--says-remote-fails` makes, marked `via: 'answer'` ("you said"), and the report is analysed again.
 * Never asked without a terminal on both ends, under --json or --markdown, in watch, or when the fact was stated.
 */
import type { Report } from '../core/report.js';
import type { Snapshot } from '../core/snapshot.js';
import type { DeclaredRemoteAccess } from '../collect/values/declared.js';
import type { CliStreams } from './output.js';
import { ask } from './prompt.js';

export const REMOTE_ACCESS_QUESTION =
  'Plex could not check from outside. On a phone on mobile data (Wi-Fi off), does your server play? [y = yes / n = no / Enter = skip] ';

/** Whether to ask: an interactive human, and the outside question is what keeps the verdict open. */
export function shouldAskRemoteAccess(
  report: Report,
  snapshot: Snapshot,
  streams: CliStreams,
  plain: boolean,
): boolean {
  if (!plain || !streams.stdin.isTTY || !(streams.stderr as { isTTY?: boolean }).isTTY) return false;
  if (snapshot.observations['declared.remoteAccess']?.status === 'ok') return false;
  return (
    report.verdict.status === 'inconclusive' &&
    report.verdict.missing.some((m) => m.decides === 'reachable-from-outside')
  );
}

/** y/yes → works, n/no → fails, anything else (Enter included) → skipped. */
export function parseRemoteAccessAnswer(answer: string | undefined): DeclaredRemoteAccess | undefined {
  if (answer === undefined) return undefined;
  if (/^y(es)?$/i.test(answer)) return { via: 'answer', failsFromOutside: false };
  if (/^n(o)?$/i.test(answer)) return { via: 'answer', failsFromOutside: true };
  return undefined;
}

/** Asks, and returns the snapshot with the answer in it (the same snapshot when skipped). */
export async function askRemoteAccess(snapshot: Snapshot, streams: CliStreams): Promise<Snapshot> {
  const answer = parseRemoteAccessAnswer(await ask(streams, REMOTE_ACCESS_QUESTION));
  if (!answer) return snapshot;
  return {
    ...snapshot,
    observations: { ...snapshot.observations, 'declared.remoteAccess': { status: 'ok', value: answer, durationMs: 0 } },
  };
}
