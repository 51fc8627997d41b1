/**
 * The firewall tools' runs shared between diagnoses of one process (src/probes/host/firewall/shared-run.ts): joined
 * while in flight, reused for a moment, read again after it; failures never kept; one caller's abort never fails
 * another's wait. A fake runner gated by the test; the clock is injected, so nothing depends on elapsed time.
 */
import { describe, expect, it } from 'vitest';
import { SHARE_MS, sharedRunner } from '../../../src/probes/host/firewall/shared-run.js';
import type { RunTool, ToolRun } from '../../../src/probes/host/firewall/run.js';

function gatedRunner(): { run: RunTool; calls: string[]; finish(result: ToolRun): void } {
  const calls: string[] = [];
  const pending: ((result: ToolRun) => void)[] = [];
  return {
    calls,
    run: (command) => {
      calls.push(command);
      return new Promise((resolve) => pending.push(resolve));
    },
    finish: (result) => {
      for (const resolve of pending.splice(0)) resolve(result);
    },
  };
}

const ok: ToolRun = { status: 'ok', stdout: 'ruleset' };
const opts = { timeoutMs: 1000 };

describe('sharedRunner', () => {
  it('joins a run in flight, reuses it for SHARE_MS, and reads again after', async () => {
    let clock = 0;
    const fake = gatedRunner();
    const run = sharedRunner(fake.run, () => clock);
    const first = run('nft', ['-j', 'list', 'ruleset'], opts);
    const second = run('nft', ['-j', 'list', 'ruleset'], opts);
    const other = run('iptables-save', [], opts);
    expect(fake.calls).toEqual(['nft', 'iptables-save']);
    fake.finish(ok);
    expect(await first).toEqual(ok);
    expect(await second).toEqual(ok);
    expect(await other).toEqual(ok);

    clock += SHARE_MS - 1;
    expect(await run('nft', ['-j', 'list', 'ruleset'], opts)).toEqual(ok);
    expect(fake.calls).toEqual(['nft', 'iptables-save']);

    clock += 1;
    const again = run('nft', ['-j', 'list', 'ruleset'], opts);
    expect(fake.calls).toEqual(['nft', 'iptables-save', 'nft']);
    fake.finish({ status: 'ok', stdout: 'changed ruleset' });
    expect(await again).toEqual({ status: 'ok', stdout: 'changed ruleset' });
  });

  it('keeps no failure: the next caller runs the tool again', async () => {
    const fake = gatedRunner();
    const run = sharedRunner(fake.run, () => 0);
    const failed = run('nft', [], opts);
    fake.finish({ status: 'denied', message: 'Operation not permitted' });
    expect(await failed).toEqual({ status: 'denied', message: 'Operation not permitted' });
    const retried = run('nft', [], opts);
    expect(fake.calls).toEqual(['nft', 'nft']);
    fake.finish(ok);
    expect(await retried).toEqual(ok);
  });

  it("one caller's abort ends only its own wait; the shared run goes on for the others", async () => {
    const fake = gatedRunner();
    const run = sharedRunner(fake.run, () => 0);
    const controller = new AbortController();
    const aborted = run('nft', [], { ...opts, signal: controller.signal });
    const patient = run('nft', [], { ...opts, signal: new AbortController().signal });
    controller.abort();
    expect(await aborted).toEqual({ status: 'failed', message: 'nft was cancelled' });
    fake.finish(ok);
    expect(await patient).toEqual(ok);
    expect(fake.calls).toEqual(['nft']);
    const already = new AbortController();
    already.abort();
    expect(await run('nft', [], { ...opts, signal: already.signal })).toEqual({
      status: 'failed',
      message: 'nft was cancelled',
    });
  });
});
