import { describe, expect, it } from 'vitest';
import { createAlertTracker, outcomeState, type RunOutcome } from '../../src/watch/tracker.js';
import { Alert } from '../../src/watch/alert.js';
import { NetworkError, UsageError } from '../../src/core/errors.js';
import { cgnat, healthy, ispBlocks, PLANTED_TOKEN, report } from './helpers.js';

const H: RunOutcome = { report: healthy() };
const A: RunOutcome = { report: ispBlocks() };
const B: RunOutcome = { report: cgnat() };
const E: RunOutcome = {
  error: new NetworkError('GET http://192.168.1.10:32400/identity: connect failed (ECONNREFUSED)', {
    phase: 'connect',
    causeCode: 'ECONNREFUSED',
  }),
};

/** Feeds a scripted sequence; returns the alert kinds with the run number (1-based) that produced each. */
function play(sequence: RunOutcome[], debounce = 2): { kinds: string[]; alerts: Alert[] } {
  const tracker = createAlertTracker({ debounce });
  const alerts: Alert[] = [];
  const kinds: string[] = [];
  sequence.forEach((outcome, i) => {
    const alert = tracker.observe(outcome, new Date(Date.UTC(2026, 10, 25, 10, i)));
    if (alert) {
      alerts.push(alert);
      kinds.push(`${i + 1}:${alert.kind}`);
    }
  });
  return { kinds, alerts };
}

describe('createAlertTracker: one alert per persistent change', () => {
  it('a healthy start is confirmed silently', () => {
    expect(play([H, H, H]).kinds).toEqual([]);
  });

  it('healthy → broken once → healthy: no alert', () => {
    expect(play([H, H, A, H, H]).kinds).toEqual([]);
  });

  it('broken twice: one "problem", not repeated while it lasts', () => {
    const { kinds, alerts } = play([H, H, A, A, A, A, A]);
    expect(kinds).toEqual(['4:problem']);
    expect(alerts[0]).toMatchObject({
      kind: 'problem',
      at: '2026-11-25T10:03:00.000Z',
      state: { status: 'problem', causes: [{ ruleId: 'isp-blocks-port', messageId: 'blocked' }] },
      previous: { status: 'healthy', causes: [] },
      causes: [
        {
          ruleId: 'isp-blocks-port',
          messageId: 'blocked',
          severity: 'error',
          message: 'Your ISP drops inbound TCP 32400.',
          fix: 'Use external port 40123.',
        },
      ],
      summary: 'Plex remote access problem (Living Room): Your ISP drops inbound TCP 32400.',
      target: { url: 'http://192.168.1.10:32400', name: 'Living Room', machineIdentifier: 'abc123' },
    });
    expect(() => Alert.parse(alerts[0])).not.toThrow();
  });

  it('the full story: problem, changed, recovered, each once', () => {
    const { kinds, alerts } = play([H, H, A, A, B, B, B, H, H, H]);
    expect(kinds).toEqual(['4:problem', '6:changed', '9:recovered']);
    expect(alerts[1]!.previous).toEqual({
      status: 'problem',
      causes: [{ ruleId: 'isp-blocks-port', messageId: 'blocked' }],
    });
    expect(alerts[1]!.causes.map((c) => c.ruleId)).toEqual(['cgnat']);
    expect(alerts[2]).toMatchObject({ kind: 'recovered', causes: [], state: { status: 'healthy' } });
    expect(alerts[2]!.summary).toBe('Plex remote access recovered (Living Room): no problems found');
  });

  it('flapping between two problems, or between healthy and broken, never alerts', () => {
    expect(play([H, H, A, B, A, B, A, B, A, B]).kinds).toEqual([]);
    expect(play([H, H, A, H, A, H, A, H]).kinds).toEqual([]);
    // Flapping from an already confirmed problem: the blips never persist either.
    expect(play([A, A, B, A, B, A, H, A]).kinds).toEqual(['2:problem']);
  });

  it('a failing diagnosis twice is "unavailable", and diagnosing again is a recovery or a problem', () => {
    const { kinds, alerts } = play([H, H, E, E, E, H, H]);
    expect(kinds).toEqual(['4:unavailable', '7:recovered']);
    expect(alerts[0]).toMatchObject({
      kind: 'unavailable',
      state: { status: 'diagnosis-failed', causes: [] },
      causes: [],
      error: { code: 'PLEXDIAG_NETWORK' },
    });
    expect(alerts[0]!.summary).toMatch(/^Plex diagnosis failed 2 runs in a row \(Living Room\): .*ECONNREFUSED/);
    expect(alerts[1]!.summary).toBe('Plex diagnosis works again (Living Room): no problems found');
    expect(play([A, A, E, E, A, A]).kinds).toEqual(['2:problem', '4:unavailable', '6:problem']);
  });

  it('the first confirmed state alerts only when it is not healthy', () => {
    expect(play([A, A]).kinds).toEqual(['2:problem']);
    expect(play([E, E]).kinds).toEqual(['2:unavailable']);
    expect(play([H, H]).kinds).toEqual([]);
  });

  it('debounce 1 alerts on the first sighting; debounce 3 needs three in a row', () => {
    expect(play([H, A, H], 1).kinds).toEqual(['2:problem', '3:recovered']);
    expect(play([H, H, H, A, A, H, A, A, A], 3).kinds).toEqual(['9:problem']);
  });

  it('the same causes in another order, or repeated, are the same state', () => {
    const ab = { report: report({ ruleId: 'a' }, { ruleId: 'b', messageId: 'x' }) };
    const ba = { report: report({ ruleId: 'b', messageId: 'x' }, { ruleId: 'a' }, { ruleId: 'a' }) };
    expect(play([ab, ab, ba, ba, ab]).kinds).toEqual(['2:problem']);
    // Same rule, another message id: a different state.
    const bOther = { report: report({ ruleId: 'b', messageId: 'y' }, { ruleId: 'a' }) };
    expect(play([ab, ab, bOther, bOther]).kinds).toEqual(['2:problem', '4:changed']);
  });

  it('exposes the confirmed state and the pending candidate, and keeps nothing else', () => {
    const tracker = createAlertTracker();
    tracker.observe(H, '2026-11-25T10:00:00.000Z');
    expect(tracker.confirmed).toBeUndefined();
    expect(tracker.pending).toEqual({ state: { status: 'healthy', causes: [] }, runs: 1 });
    tracker.observe(H, '2026-11-25T10:01:00.000Z');
    expect(tracker.confirmed).toEqual({ status: 'healthy', causes: [] });
    expect(tracker.pending).toBeUndefined();
    tracker.observe(A, '2026-11-25T10:02:00.000Z');
    expect(tracker.pending?.runs).toBe(1);
    tracker.observe(H, '2026-11-25T10:03:00.000Z');
    expect(tracker.pending).toBeUndefined();
  });

  it('rejects a debounce that is not a positive whole number', () => {
    expect(() => createAlertTracker({ debounce: 0 })).toThrow(UsageError);
    expect(() => createAlertTracker({ debounce: 1.5 })).toThrow(UsageError);
  });
});

describe('what makes a state', () => {
  it('counts root causes only: a contributing finding explained by a root cause adds nothing', () => {
    const r = report(
      { ruleId: 'cgnat' },
      { ruleId: 'unreachable', rank: 'contributing', explainedBy: ['cgnat'] },
      { ruleId: 'note', severity: 'info' },
    );
    expect(outcomeState({ report: r })).toEqual({
      status: 'problem',
      causes: [{ ruleId: 'cgnat', messageId: 'found' }],
    });
  });

  it('warnings are root causes by default; minSeverity "error" ignores them unless they explain an error', () => {
    const warningOnly = report({ ruleId: 'relay-only', severity: 'warning' });
    expect(outcomeState({ report: warningOnly }).status).toBe('problem');
    expect(outcomeState({ report: warningOnly }, 'error').status).toBe('healthy');
    const warningExplainsError = report(
      { ruleId: 'vpn', severity: 'warning' },
      { ruleId: 'unreachable', rank: 'contributing', explainedBy: ['vpn'] },
    );
    expect(outcomeState({ report: warningExplainsError }, 'error')).toEqual({
      status: 'problem',
      causes: [{ ruleId: 'vpn', messageId: 'found' }],
    });
  });

  it('info findings alone are healthy', () => {
    expect(outcomeState({ report: report({ ruleId: 'note', severity: 'info' }) }).status).toBe('healthy');
  });
});

describe('alerts never carry the token', () => {
  it('even when evidence, data and message text of the report hold it', () => {
    const leaky = report({
      ruleId: 'custom-url',
      message: `Custom URL https://plex.example.com:443/?X-Plex-Token=${PLANTED_TOKEN} is unreachable`,
      fix: `Remove X-Plex-Token: ${PLANTED_TOKEN} from the URL`,
    });
    const { alerts } = play([{ report: leaky }, { report: leaky }]);
    expect(alerts).toHaveLength(1);
    expect(JSON.stringify(alerts[0])).not.toContain(PLANTED_TOKEN);
    const failing = { error: new Error(`GET http://x/?X-Plex-Token=${PLANTED_TOKEN} failed`) };
    const unavailable = play([failing, failing]).alerts[0];
    expect(unavailable?.kind).toBe('unavailable');
    expect(JSON.stringify(unavailable)).not.toContain(PLANTED_TOKEN);
  });
});
