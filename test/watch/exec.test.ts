import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertEnvironment, runAlertCommand, shellInvocation } from '../../src/watch/exec.js';
import { createAlertTracker, type RunOutcome } from '../../src/watch/tracker.js';
import { Alert } from '../../src/watch/alert.js';
import { healthy, ispBlocks } from './helpers.js';

const posix = process.platform === 'win32' ? describe.skip : describe;

/** True once the process no longer runs (gone, or a zombie waiting for a reaper that a container may not have). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(pid, 0);
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      if (/^\d+ \(.*\) Z/.test(stat)) return true;
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function alertFrom(...outcomes: RunOutcome[]): Alert {
  const tracker = createAlertTracker({ debounce: 1 });
  let last: Alert | undefined;
  outcomes.forEach((outcome, i) => {
    last = tracker.observe(outcome, new Date(Date.UTC(2026, 10, 25, 10, i))) ?? last;
  });
  return last!;
}
const problem = alertFrom({ report: healthy() }, { report: ispBlocks() });
const recovered = alertFrom({ report: ispBlocks() }, { report: healthy() });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-exec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

posix('runAlertCommand with a real /bin/sh', () => {
  it('passes the alert in PLEX_DIAGNOSE_ALERT_* variables', async () => {
    const out = join(dir, 'vars.txt');
    const json = join(dir, 'alert.json');
    const command = [
      'printf "%s\\n" "$PLEX_DIAGNOSE_ALERT_KIND" "$PLEX_DIAGNOSE_ALERT_STATE" "$PLEX_DIAGNOSE_ALERT_RULE" "$PLEX_DIAGNOSE_ALERT_SEVERITY"',
      '"$PLEX_DIAGNOSE_ALERT_MESSAGE" "$PLEX_DIAGNOSE_ALERT_FIX" "$PLEX_DIAGNOSE_ALERT_AT" "$PLEX_DIAGNOSE_ALERT_SUMMARY" > "$OUT";',
      'printf "%s" "$PLEX_DIAGNOSE_ALERT_JSON" > "$JSON_OUT"',
    ].join(' ');
    const result = await runAlertCommand(command, problem, { env: { ...process.env, OUT: out, JSON_OUT: json } });
    expect(result).toEqual({ exitCode: 0, timedOut: false, aborted: false, stderrTail: '' });
    expect((await readFile(out, 'utf8')).split('\n')).toEqual([
      'problem',
      'problem',
      'isp-blocks-port',
      'error',
      'Your ISP drops inbound TCP 32400.',
      'Use external port 40123.',
      '2026-11-25T10:01:00.000Z',
      problem.summary,
      '',
    ]);
    expect(Alert.parse(JSON.parse(await readFile(json, 'utf8')))).toEqual(problem);
  });

  it('does not pass PLEX_TOKEN or the reflector secret on (in any letter case), but keeps the rest', async () => {
    const out = join(dir, 'token.txt');
    const env = {
      ...process.env,
      PLEX_TOKEN: 'exec-SECRET-token-1',
      plex_token: 'exec-SECRET-token-2',
      PLEX_DIAGNOSE_REFLECTOR_SECRET: 'exec-SECRET-token-3-reflector',
      KEEP_ME: 'kept',
      OUT: out,
    };
    const result = await runAlertCommand(
      'printf "%s|%s|%s" "${PLEX_TOKEN-unset}" "${plex_token-unset}" "$KEEP_ME" > "$OUT"; env >> "$OUT"',
      problem,
      { env },
    );
    expect(result.exitCode).toBe(0);
    const seen = await readFile(out, 'utf8');
    expect(seen.startsWith('unset|unset|kept')).toBe(true);
    expect(seen).not.toContain('exec-SECRET-token');
  });

  it('reports the exit code and the tail of stderr', async () => {
    const result = await runAlertCommand('echo "webhook said no" >&2; exit 3', problem);
    expect(result).toEqual({ exitCode: 3, timedOut: false, aborted: false, stderrTail: 'webhook said no\n' });
  });

  it('keeps only the last 4 KB of a noisy stderr', async () => {
    const result = await runAlertCommand("head -c 100000 /dev/zero | tr '\\0' a >&2; echo END >&2", problem);
    expect(result.exitCode).toBe(0);
    expect(result.stderrTail.length).toBeLessThanOrEqual(4096);
    expect(result.stderrTail.endsWith('aaaEND\n')).toBe(true);
  });

  it('kills `sleep 30` at the timeout, including the forked child, and says so', async () => {
    // "; true" keeps sh from exec-ing sleep: the shell forks it, so only a process-group kill ends both.
    const result = await runAlertCommand('sleep 30; true', problem, { timeoutMs: 200 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true, aborted: false });
  });

  it('kills the whole process group: a background child of the command does not outlive it', async () => {
    const pidFile = join(dir, 'child.pid');
    const result = await runAlertCommand('sleep 30 & echo $! > "$PID_FILE"; wait', problem, {
      timeoutMs: 300,
      env: { ...process.env, PID_FILE: pidFile },
    });
    expect(result.timedOut).toBe(true);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(pid).toBeGreaterThan(0);
    expect(await gone(pid)).toBe(true);
  });

  it('escalates to SIGKILL when the command ignores SIGTERM', async () => {
    const result = await runAlertCommand("trap '' TERM; while :; do sleep 0.05; done", problem, {
      timeoutMs: 150,
      killGraceMs: 150,
    });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
  });

  it('stops the command when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await runAlertCommand('sleep 30; true', problem, { signal: controller.signal, timeoutMs: 60_000 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false, aborted: true });
  });

  it('returns (does not throw) when the command cannot be started', async () => {
    const result = await runAlertCommand('true', problem, { cwd: join(dir, 'does-not-exist') });
    expect(result.exitCode).toBeNull();
    expect(result.error).toMatch(/ENOENT/);
  });
});

describe('alertEnvironment and shellInvocation', () => {
  it('for a recovery: no rule, the summary as the message', () => {
    const env = alertEnvironment(recovered, { PATH: '/bin' });
    expect(env).toMatchObject({
      PATH: '/bin',
      PLEX_DIAGNOSE_ALERT_KIND: 'recovered',
      PLEX_DIAGNOSE_ALERT_STATE: 'healthy',
      PLEX_DIAGNOSE_ALERT_RULE: '',
      PLEX_DIAGNOSE_ALERT_SEVERITY: '',
      PLEX_DIAGNOSE_ALERT_FIX: '',
      PLEX_DIAGNOSE_ALERT_MESSAGE: recovered.summary,
    });
  });

  it('strips NUL bytes, which spawn would reject', () => {
    const withNul = { ...problem, summary: 'a\u0000b', causes: [{ ...problem.causes[0]!, message: 'x\u0000y' }] };
    const env = alertEnvironment(withNul, {});
    expect(env.PLEX_DIAGNOSE_ALERT_SUMMARY).toBe('ab');
    expect(env.PLEX_DIAGNOSE_ALERT_MESSAGE).toBe('xy');
    expect(env.PLEX_DIAGNOSE_ALERT_JSON).not.toContain('\u0000');
  });

  it('invokes /bin/sh -c on POSIX and cmd.exe /d /s /c (as Node does for shell: true) on Windows', () => {
    expect(shellInvocation('echo hi', 'linux', {})).toEqual({
      file: '/bin/sh',
      args: ['-c', 'echo hi'],
      verbatim: false,
    });
    expect(shellInvocation('echo hi', 'win32', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' })).toEqual({
      file: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', '"echo hi"'],
      verbatim: true,
    });
  });
});
