/**
 * Lab self-tests, the harness itself: labs overlap without clashing, teardown always happens (a failing test body, a
 * failed start, a process that ignores SIGTERM, SIGTERM of the owning process), a crashed owner's lab is removed by
 * the janitor, and nothing is left at the end.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import {
  findLeftovers,
  startLab,
  withLab,
  cleanupStaleLabs,
  assertNoLeftovers,
  type LabProcess,
} from './harness/index.js';
import { runCommand } from './harness/command.js';
import { LAB_ROOT, REPO_ROOT } from './harness/paths.js';
import { describeLab, forward, fromInternet, machineIdentifierOf } from './support.js';

const created: string[] = [];
const bare = { plex: false, plexTv: false, dns: 'none' } as const;

/** True while the process exists and is not a zombie. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Starts the fixture that holds a lab, and returns it with the lab's prefix once the lab is up. */
async function holdLab(): Promise<{ child: ReturnType<typeof spawn>; prefix: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/lab/fixtures/hold-lab.ts'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const [prefix] = (await once(lines, 'line')) as [string];
  lines.close();
  created.push(prefix);
  return { child, prefix };
}

describeLab('lab harness: isolation and teardown', () => {
  afterAll(() => {
    // A failed assertion above may have left a killed owner's lab: remove it (the failure is already reported).
    cleanupStaleLabs();
    for (const prefix of created) assertNoLeftovers(prefix);
  });

  it('two labs in parallel, same addresses inside, each remote client reaches its own server', async () => {
    const scenario = { router: { forwards: [forward(32400)] }, dns: 'none' as const };
    const labs = await Promise.all([
      startLab({ ...scenario, name: 'parallel-a' }),
      startLab({ ...scenario, name: 'parallel-b' }),
    ]);
    try {
      created.push(...labs.map((lab) => lab.prefix));
      expect(labs[0].prefix).not.toBe(labs[1].prefix);
      expect(labs[0].plex!.machineIdentifier).not.toBe(labs[1].plex!.machineIdentifier);
      const answers = await Promise.all(labs.map((lab) => fromInternet(lab, 32400)));
      expect(answers.map(machineIdentifierOf)).toEqual(labs.map((lab) => lab.plex!.machineIdentifier));
    } finally {
      await Promise.all(labs.map((lab) => lab.stop()));
    }
  });

  it('an error thrown inside a test body still tears the lab down', async () => {
    let prefix = '';
    await expect(
      withLab({ name: 'throws', ...bare }, async (lab) => {
        prefix = lab.prefix;
        expect(findLeftovers(prefix).some((entry) => entry.startsWith('namespace'))).toBe(true);
        throw new Error('boom inside the test');
      }),
    ).rejects.toThrow('boom inside the test');
    created.push(prefix);
    expect(findLeftovers(prefix)).toEqual([]);
  });

  it('a bad scenario is refused before anything is created', async () => {
    const labDirs = (): string[] => readdirSync(LAB_ROOT).filter((name) => /^pd[0-9a-z]{5}$/.test(name));
    const before = labDirs();
    await expect(
      startLab({
        name: 'bad',
        router: { forwards: [{ externalPort: 32400, internalHost: 'nas.local', internalPort: 32400 }] },
      }),
    ).rejects.toThrow(/IPv4 internalHost/);
    await expect(startLab({ name: 'bad', isp: { block: [{ port: 70000, action: 'drop' }] } })).rejects.toThrow(
      /1-65535/,
    );
    expect(labDirs()).toEqual(before);
  });

  it('a lab whose service fails to start is torn down and the error carries the service log', async () => {
    // A build without the fakes: the plex.tv runner exits at once with a clear message.
    const broken = await mkdtemp(join(tmpdir(), 'pd-broken-dist-'));
    await writeFile(join(broken, 'testing.js'), 'export const nothing = 1;\n');
    const previous = process.env.PD_LAB_DIST;
    process.env.PD_LAB_DIST = broken;
    try {
      const error = await startLab({ name: 'broken-build', dns: 'none', plex: false }).then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );
      expect(error?.message).toMatch(
        /lab "broken-build" \(pd[0-9a-z]{5}\) failed to start: lab: fake-plex-tv exited before it was ready/,
      );
      expect(error?.message).toContain('does not export startFakePlexTv');
      const prefix = /\((pd[0-9a-z]{5})\)/.exec(error!.message)![1]!;
      created.push(prefix);
      expect(findLeftovers(prefix)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.PD_LAB_DIST;
      else process.env.PD_LAB_DIST = previous;
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('exec has a deadline; stop() kills a process that ignores SIGTERM and its children in the namespace', async () => {
    const lab = await startLab({ name: 'stubborn', ...bare });
    created.push(lab.prefix);
    let stubborn: LabProcess | undefined;
    let inside: number[] = [];
    try {
      const slow = await lab.exec('lan', ['sleep', '30'], { timeoutMs: 200 });
      expect(slow).toMatchObject({ timedOut: true, code: null, signal: 'SIGKILL' });
      const done = await lab.exec('lan', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(done).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
      // The shell ignores SIGTERM (SIGKILL after the grace period); its sleep child, not ours, is found by `ip netns pids`.
      stubborn = lab.spawn('lan', 'stubborn', ['sh', '-c', 'trap "" TERM; sleep 600 & wait']);
      for (let attempt = 0; attempt < 100 && inside.length < 2; attempt++) {
        inside = (await runCommand(['ip', 'netns', 'pids', lab.namespace('lan')])).stdout
          .split(/\s+/)
          .filter(Boolean)
          .map(Number);
        await delay(20);
      }
      expect(inside).toHaveLength(2);
      expect(inside).toContain(stubborn.pid);
    } finally {
      await lab.stop();
    }
    expect(stubborn?.running()).toBe(false);
    expect(inside.filter(isAlive)).toEqual([]);
    expect(findLeftovers(lab.prefix)).toEqual([]);
  });

  it('SIGTERM to the process that owns a lab tears the lab down before it exits', async () => {
    const { child, prefix } = await holdLab();
    expect(findLeftovers(prefix).filter((entry) => entry.startsWith('process')).length).toBeGreaterThan(0);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(findLeftovers(prefix)).toEqual([]);
  });

  it('a lab whose owner was SIGKILLed is removed by cleanupStaleLabs(), and only that one', async () => {
    const live = await startLab({ name: 'bystander', ...bare });
    created.push(live.prefix);
    try {
      const { child, prefix } = await holdLab();
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      const left = findLeftovers(prefix);
      expect(left).toEqual(
        expect.arrayContaining([`namespace ${prefix}-lan`, expect.stringMatching(/^process \d+: .*sleep 600/)]),
      );
      expect(cleanupStaleLabs()).toEqual([prefix]);
      expect(findLeftovers(prefix)).toEqual([]);
      // The live lab of this process was not touched.
      expect(findLeftovers(live.prefix)).toContain(`namespace ${live.prefix}-lan`);
    } finally {
      await live.stop();
    }
  });
});
