/**
 * One signal that aborts when any of the given ones does, unlinked again by `release()`. Use it instead of
 * `AbortSignal.any` whenever one of the sources lives long (a client's signal, the CLI's Ctrl-C signal, a watch loop's):
 * on Node 20, AbortSignal.any leaves a WeakRef in every source for every call, and keeps the combined signal itself
 * alive while it has listeners, so a watch process grew by every request it made (bench/watch-rss.ts).
 */
export interface LinkedSignal {
  /** The combined signal; the only given signal itself when there is one, undefined when there are none. */
  readonly signal: AbortSignal | undefined;
  /** Removes our listeners from the sources. Call it when the work is done; calling it twice is harmless. */
  release(): void;
}

const nothing = (): void => undefined;

export function linkSignals(...signals: (AbortSignal | undefined)[]): LinkedSignal {
  const sources = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (sources.length <= 1) return { signal: sources[0], release: nothing };
  const controller = new AbortController();
  const fired = sources.find((signal) => signal.aborted);
  if (fired) {
    controller.abort(fired.reason);
    return { signal: controller.signal, release: nothing };
  }
  const release = (): void => {
    for (const source of sources) source.removeEventListener('abort', onAbort);
  };
  function onAbort(this: AbortSignal): void {
    release();
    controller.abort(this.reason);
  }
  for (const source of sources) source.addEventListener('abort', onAbort);
  return { signal: controller.signal, release };
}
