/**
 * 200 diagnoses at once against one fake server leave nothing behind: no socket, server, UDP socket or timer. Each run
 * happens in a child process (fixtures/concurrent-diagnoses.ts) that closes its fakes and must then end by itself:
 * a leaked handle keeps a Node process alive, so a leak is a child that never exits. The child also lists what keeps
 * its event loop alive after the fakes closed (process.getActiveResourcesInfo), which must be nothing.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./fixtures/concurrent-diagnoses.ts', import.meta.url));
/** From the child's last line to its exit; the process has nothing left to do by then. */
const EXIT_DEADLINE_MS = 5000;
/** The whole run, generous: 200 diagnoses on a busy 2-core machine. */
const RUN_DEADLINE_MS = 90_000;
/** The child's stdout and stderr, piped to us: the only handles it may hold at the end. */
const STDIO = new Set(['PipeWrap', 'TTYWrap']);
const leaked = (resources: string[]): string[] => resources.filter((type) => !STDIO.has(type));

interface ChildReport {
  mode: string;
  reports: number;
  statuses: string[];
  notOk: Record<string, number>;
  resources: string[];
}

function runChild(
  mode: 'global' | 'scenario',
  count: number,
): Promise<{ report: ChildReport; exitCode: number | null; exitAfterReportMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let reportedAt: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (reportedAt === undefined && stdout.includes('\n')) reportedAt = performance.now();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const kill = (why: string): void => {
      child.kill('SIGKILL');
      reject(new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const runTimer = setTimeout(
      () => kill(`the child did not finish ${count} diagnoses within ${RUN_DEADLINE_MS} ms`),
      RUN_DEADLINE_MS,
    );
    const exitWatch = setInterval(() => {
      if (reportedAt !== undefined && performance.now() - reportedAt > EXIT_DEADLINE_MS)
        kill(`the child reported, then stayed alive for ${EXIT_DEADLINE_MS} ms: something keeps its event loop busy`);
    }, 100);
    child.once('exit', (exitCode) => {
      clearTimeout(runTimer);
      clearInterval(exitWatch);
      if (reportedAt === undefined)
        return reject(new Error(`the child exited (${String(exitCode)}) without a report\nstderr: ${stderr}`));
      resolve({
        report: JSON.parse(stdout.trim().split('\n').pop()!) as ChildReport,
        exitCode,
        exitAfterReportMs: performance.now() - reportedAt,
      });
    });
  });
}

describe('200 concurrent diagnoses leave no open sockets or timers', () => {
  it("through undici's global dispatcher (the library's default), against one fake server and plex.tv", async () => {
    const { report, exitCode } = await runChild('global', 200);
    expect(exitCode).toBe(0);
    expect(report.reports).toBe(200);
    // Every collector but plex.direct DNS (the connection is an IP URI) did its work in all 200.
    // Nothing stated, no reflector, not in a pod: skipped by design.
    expect(report.notOk).toEqual({
      'declared.forwards skipped': 200,
      'declared.remoteAccess skipped': 200,
      'declared.frontDoor skipped': 200,
      'declared.kubernetes skipped': 200,
      'host.kubernetes skipped': 200,
      'probe.outside skipped': 200,
      'probe.plexDirectDns skipped': 200,
    });
    expect(leaked(report.resources)).toEqual([]);
  });

  it("with the real probes (UDP discovery, TCP, /identity, DNS) against a scenario's fake router, resolver and GDM", async () => {
    const { report, exitCode } = await runChild('scenario', 200);
    expect(exitCode).toBe(0);
    expect(report.reports).toBe(200);
    // Under this load some probes may time out (they answer as failed observations); none may throw or hang.
    expect(report.statuses.every((s) => ['ok', 'info', 'warning', 'error'].includes(s))).toBe(true);
    expect(leaked(report.resources)).toEqual([]);
  });
});
