/**
 * The firewall tools' runs, shared by the diagnoses of one process that start within a moment of each other. Each
 * diagnosis of a server on this host read the whole ruleset through five subprocesses; `diagnoseMany` over 64 such
 * targets at once ran 320 of them for one unchanged ruleset (and a fleet bench of 10,000 loopback servers spent most of
 * its time in `nft`). A run in flight is joined, a finished one is reused for SHARE_MS, then read again: short
 * enough that a `watch` (at least 1 s apart) or the user's next command sees a changed firewall.
 */
import { cancelled, type RunTool, type ToolRun } from './run.js';

/** How long a finished read is reused. */
export const SHARE_MS = 1000;

interface Shared {
  run: Promise<ToolRun>;
  /** When it finished (performance.now()); undefined while in flight. */
  doneAt?: number;
}

/**
 * `run`, with its results shared per command line. The shared run is not tied to any caller's signal (it is bounded
 * by its own timeout), so one diagnosis aborting does not fail the others; each caller still stops waiting on its own
 * signal. Failures are not kept: the next caller tries again.
 */
export function sharedRunner(run: RunTool, now: () => number = () => performance.now()): RunTool {
  const runs = new Map<string, Shared>();
  return (command, args, options) => {
    const key = [command, ...args].join('\0');
    const current = runs.get(key);
    let shared = current && (current.doneAt === undefined || now() - current.doneAt < SHARE_MS) ? current : undefined;
    if (!shared) {
      const entry: Shared = {
        run: run(command, args, {
          timeoutMs: options.timeoutMs,
          ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
        }),
      };
      runs.set(key, entry);
      void entry.run.then((result) => {
        if (result.status === 'ok') entry.doneAt = now();
        else if (runs.get(key) === entry) runs.delete(key);
      });
      shared = entry;
    }
    const { signal } = options;
    if (!signal) return shared.run;
    if (signal.aborted) return Promise.resolve(cancelled(command));
    return new Promise<ToolRun>((resolve) => {
      const onAbort = (): void => resolve(cancelled(command));
      signal.addEventListener('abort', onAbort, { once: true });
      void shared.run.then((result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      });
    });
  };
}
