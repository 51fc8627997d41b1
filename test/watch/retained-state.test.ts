/**
 * A watch runs for months: what it keeps between runs must not grow with the number of runs. These count what is
 * retained (the tracker's states, listeners left on the stop signal) over long random or scripted runs; the memory
 * figure itself is bench/watch-rss.ts's (no timing or heap size is asserted here).
 */
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runWatch } from '../../src/watch/run-watch.js';
import { createAlertTracker, outcomeState, type RunOutcome } from '../../src/watch/tracker.js';
import { report } from './helpers.js';

const OUTCOMES: RunOutcome[] = [
  { report: report() },
  { report: report({ ruleId: 'isp-blocks-port' }) },
  { report: report({ ruleId: 'cgnat' }, { ruleId: 'double-nat', messageId: 'two' }) },
  { error: new Error('connect ECONNREFUSED 192.168.1.10:32400') },
];
const stateSize = (value: unknown): number => JSON.stringify(value ?? null).length;
const LARGEST_STATE = Math.max(...OUTCOMES.map((o) => stateSize(outcomeState(o))));

describe('what a watch retains between runs', () => {
  it('the tracker holds one confirmed state and one pending candidate, whatever the history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: OUTCOMES.length - 1 }), { minLength: 1, maxLength: 2_000 }),
        (debounce, steps) => {
          const tracker = createAlertTracker({ debounce });
          let last: number | undefined;
          let streak = 0;
          for (const [run, step] of steps.entries()) {
            tracker.observe(OUTCOMES[step]!, new Date(Date.UTC(2026, 11, 2, 0, run)));
            streak = step === last ? streak + 1 : 1;
            last = step;
            const { confirmed, pending } = tracker;
            // Pending is only ever the current streak, below the debounce: no queue of past candidates.
            if (pending) expect(pending.runs).toBeLessThanOrEqual(streak);
            if (pending) expect(pending.runs).toBeLessThan(debounce);
            expect(stateSize(confirmed)).toBeLessThanOrEqual(LARGEST_STATE);
            expect(stateSize(pending?.state)).toBeLessThanOrEqual(LARGEST_STATE);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves no listener on the stop signal: one run or 300, the count between runs is the same (none)', async () => {
    const signal = new AbortController().signal;
    const listeners: number[] = [];
    let i = 0;
    const result = await runWatch({
      // A real (1 ms) sleep, so every run adds and must remove its abort listener.
      intervalMs: 1,
      maxRuns: 300,
      signal,
      tracker: createAlertTracker(),
      runOnce: async () => OUTCOMES[Math.floor(i++ / 3) % 3]!.report!,
      onAlert: () => undefined,
      onRun: () => {
        listeners.push(getEventListeners(signal, 'abort').length);
      },
    });
    expect(result.runs).toBe(300);
    expect(result.alerts).toBeGreaterThan(50);
    expect(new Set(listeners)).toEqual(new Set([0]));
  });
});
