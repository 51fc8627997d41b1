import { describe, expect, it } from 'vitest';
import { runWatch, type WatchRunInfo } from '../../src/watch/run-watch.js';
import { abortableSleep } from '../../src/core/util/sleep.js';
import { createAlertTracker } from '../../src/watch/tracker.js';
import type { Alert } from '../../src/watch/alert.js';
import type { Report } from '../../src/core/report.js';
import { cgnat, healthy, ispBlocks } from './helpers.js';

type Step = 'H' | 'A' | 'B' | 'throw';
const REPORTS: Record<Exclude<Step, 'throw'>, () => Report> = { H: healthy, A: ispBlocks, B: cgnat };

/** A runOnce that plays a script, one step per run, throwing on 'throw' (network loss, server restarting). */
function scripted(steps: Step[]): { runOnce: (signal: AbortSignal) => Promise<Report>; calls: () => number } {
  let i = 0;
  return {
    runOnce: async () => {
      const step = steps[i++ % steps.length]!;
      if (step === 'throw') throw new Error('connect ECONNREFUSED 192.168.1.10:32400');
      return REPORTS[step]();
    },
    calls: () => i,
  };
}

/** A fake clock advancing one minute per call, and a sleep that records its delays without waiting. */
function fakeTime(): { clock: () => Date; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let minute = 0;
  const slept: number[] = [];
  return {
    clock: () => new Date(Date.UTC(2026, 10, 25, 10, minute++)),
    sleep: async (ms) => {
      slept.push(ms);
    },
    slept,
  };
}

describe('runWatch', () => {
  it('runs maxRuns times, sleeps the interval between runs, and delivers one alert per persistent change', async () => {
    const script = scripted(['H', 'H', 'A', 'A', 'A', 'throw', 'A', 'H', 'H']);
    const time = fakeTime();
    const alerts: Alert[] = [];
    const infos: WatchRunInfo[] = [];
    const result = await runWatch({
      intervalMs: 300_000,
      runOnce: script.runOnce,
      tracker: createAlertTracker(),
      onAlert: (alert) => {
        alerts.push(alert);
      },
      onRun: (info) => {
        infos.push(info);
      },
      signal: new AbortController().signal,
      maxRuns: 9,
      clock: time.clock,
      sleep: time.sleep,
    });
    expect(result).toEqual({ runs: 9, failedRuns: 1, alerts: 2, failedAlerts: 0, stoppedBy: 'max-runs' });
    expect(alerts.map((a) => a.kind)).toEqual(['problem', 'recovered']);
    expect(alerts[0]!.at).toBe('2026-11-25T10:03:00.000Z');
    expect(time.slept).toEqual(Array(8).fill(300_000)); // no sleep after the last run
    expect(infos.map((i) => i.run)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(infos[5]!.error).toBeInstanceOf(Error);
    expect(infos[5]!.report).toBeUndefined();
    expect(infos[3]!.alert?.kind).toBe('problem');
  });

  it('a diagnosis that keeps throwing is an "unavailable" alert, not the end of the watch', async () => {
    const script = scripted(['H', 'H', 'throw', 'throw', 'throw', 'H', 'H']);
    const time = fakeTime();
    const kinds: string[] = [];
    const result = await runWatch({
      intervalMs: 1000,
      runOnce: script.runOnce,
      tracker: createAlertTracker(),
      onAlert: (a) => void kinds.push(a.kind),
      signal: new AbortController().signal,
      maxRuns: 7,
      ...time,
    });
    expect(kinds).toEqual(['unavailable', 'recovered']);
    expect(result.failedRuns).toBe(3);
  });

  it('an onAlert that throws is reported through onRun and the loop goes on; so does a throwing onRun', async () => {
    const script = scripted(['A', 'A', 'B', 'B', 'H', 'H']);
    const alertErrors: unknown[] = [];
    let onRunCalls = 0;
    const result = await runWatch({
      intervalMs: 1000,
      runOnce: script.runOnce,
      tracker: createAlertTracker(),
      onAlert: async (alert) => {
        if (alert.kind !== 'recovered') throw new Error(`webhook down for ${alert.kind}`);
      },
      onRun: (info) => {
        onRunCalls += 1;
        if (info.alertError) alertErrors.push(info.alertError);
        throw new Error('EPIPE');
      },
      signal: new AbortController().signal,
      maxRuns: 6,
      ...fakeTime(),
    });
    expect(result).toMatchObject({ runs: 6, alerts: 3, failedAlerts: 2, stoppedBy: 'max-runs' });
    expect(alertErrors.map((e) => (e as Error).message)).toEqual([
      'webhook down for problem',
      'webhook down for changed',
    ]);
    expect(onRunCalls).toBe(6);
  });

  it('an abort during the real sleep ends the watch promptly, without another run', async () => {
    const controller = new AbortController();
    const script = scripted(['H']);
    const pending = runWatch({
      intervalMs: 60_000,
      runOnce: script.runOnce,
      tracker: createAlertTracker(),
      onAlert: () => undefined,
      onRun: () => {
        setTimeout(() => controller.abort(), 20);
      },
      signal: controller.signal,
    });
    const result = await pending;
    expect(result).toEqual({ runs: 1, failedRuns: 0, alerts: 0, failedAlerts: 0, stoppedBy: 'signal' });
    expect(script.calls()).toBe(1);
  });

  it('an abort during a run stops without feeding the tracker (no failure, no alert)', async () => {
    const controller = new AbortController();
    const tracker = createAlertTracker({ debounce: 1 });
    let seenSignal: AbortSignal | undefined;
    const result = await runWatch({
      intervalMs: 1000,
      runOnce: (signal) => {
        seenSignal = signal;
        return new Promise<Report>((_, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')));
          setTimeout(() => controller.abort(), 10);
        });
      },
      tracker,
      onAlert: () => {
        throw new Error('must not be called');
      },
      signal: controller.signal,
    });
    expect(seenSignal).toBe(controller.signal);
    expect(result).toEqual({ runs: 0, failedRuns: 0, alerts: 0, failedAlerts: 0, stoppedBy: 'signal' });
    expect(tracker.confirmed).toBeUndefined();
  });

  it('does not start when the signal is already aborted, and maxRuns 0 runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const script = scripted(['H']);
    const common = {
      intervalMs: 1000,
      runOnce: script.runOnce,
      tracker: createAlertTracker(),
      onAlert: () => undefined,
    };
    expect((await runWatch({ ...common, signal: controller.signal })).stoppedBy).toBe('signal');
    expect((await runWatch({ ...common, signal: new AbortController().signal, maxRuns: 0 })).stoppedBy).toBe(
      'max-runs',
    );
    expect(script.calls()).toBe(0);
  });
});

describe('abortableSleep', () => {
  it('resolves (does not reject) on abort, and at once for an aborted signal', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
    await expect(abortableSleep(60_000, controller.signal)).resolves.toBeUndefined();
  });
});
