/**
 * `watch` as a subprocess against a fake server that flaps between runs (the test changes the fakes' live state as
 * each run line arrives): one alert per persistent change (a problem, then its recovery) and none for a one-run blip,
 * delivered to loopback --notify receivers in each service's format and to an --exec command through env vars;
 * SIGINT and SIGTERM stop it cleanly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alert } from '../../src/watch/alert.js';
import { readRequestBody, startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';
import { createSandbox, waitForOutput, type CliSandbox } from './helpers/run-cli.js';
import { startHome, type Home } from './helpers/home.js';

interface Delivery {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let receiver: LoopbackServer;
const deliveries: Delivery[] = [];
let sandbox: CliSandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
  receiver = await startLoopbackServer(async (request, response) => {
    deliveries.push({
      path: request.url ?? '',
      headers: request.headers,
      body: await readRequestBody(request, 1024 * 1024),
    });
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
});
afterAll(async () => {
  await receiver?.close();
  await sandbox?.cleanup();
});

type WatchLine =
  | { type: 'run'; run: number; status: string; rootCause?: { ruleId: string; messageId: string } }
  | ({ type: 'alert' } & Alert);

function parseLines(stdout: string): WatchLine[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as WatchLine);
}

describe.concurrent('watch', () => {
  let home: Home;
  beforeAll(async () => {
    home = await startHome({ ispBlockedPorts: [32400] });
  });
  afterAll(() => home?.close());

  it('alerts exactly once per persistent change (problem, recovered) and not for a one-run blip', async () => {
    const execLog = join(sandbox.dir, 'alerts.env');
    const broken = async (isBroken: boolean): Promise<void> => {
      if (isBroken) home.isp.blockedPorts.add(32400);
      else home.isp.blockedPorts.delete(32400);
      await home.server.publish();
    };
    // What each run sees, set as the previous run's line arrives (runs are 1 s apart):
    //   1-2 the ISP blocks 32400 (a problem, confirmed at run 2 → alert)
    //   3   the server is down: a different cause for one run only (a blip → no alert)
    //   4   back to the confirmed problem
    //   5-6 unblocked: healthy twice (recovered, confirmed at run 6 → alert)
    const plan: Record<number, () => Promise<void>> = {
      2: async () => home.server.setFault({ fault: { kind: 'reset' } }),
      3: async () => home.server.setFault(undefined),
      4: () => broken(false),
    };
    const result = await sandbox.run(
      [
        'watch',
        ...home.networkArgs(),
        '--url',
        home.server.url,
        '--interval',
        '1s',
        '--debounce',
        '2',
        '--max-runs',
        '6',
        '--json',
        '--notify',
        `${receiver.url}/hook`,
        '--notify',
        `${receiver.url}/plex-alerts#ntfy`,
        '--notify',
        `${receiver.url}/api/webhooks/1/x#discord`,
        '--notify',
        `${receiver.url}/services/T/B/x#slack`,
        '--exec',
        `env | grep '^PLEX' | sort >> '${execLog}'; echo ---- >> '${execLog}'`,
      ],
      {
        // The token through the environment, so the test can check that --exec commands do not inherit it.
        env: { PLEX_TOKEN: home.token },
        timeoutMs: 40_000,
        onSpawn: (child) => {
          let buffer = '';
          child.stdout!.on('data', (chunk: Buffer | string) => {
            buffer += chunk.toString();
            const lines = buffer.split('\n');
            buffer = lines.pop()!;
            for (const line of lines) {
              const parsed = JSON.parse(line) as WatchLine;
              if (parsed.type === 'run') void plan[parsed.run]?.();
            }
          });
        },
      },
    );
    expect(result.stdout + result.stderr).not.toContain(home.token);
    expect(result.code).toBe(0);
    const lines = parseLines(result.stdout);

    // The flapping really happened as planned, run by run.
    const runs = lines.filter((l): l is Extract<WatchLine, { type: 'run' }> => l.type === 'run');
    expect(runs.map((r) => [r.run, r.status, r.rootCause?.ruleId])).toEqual([
      [1, 'error', 'isp-blocks-port'],
      [2, 'error', 'isp-blocks-port'],
      [3, 'error', 'server-unreachable'],
      [4, 'error', 'isp-blocks-port'],
      [5, 'ok', undefined],
      [6, 'ok', undefined],
    ]);

    // Exactly two alerts, each printed before the line of the run that confirmed it.
    const alerts = lines.filter((l): l is Extract<WatchLine, { type: 'alert' }> => l.type === 'alert');
    expect(alerts.map((a) => Alert.parse({ ...a, type: undefined }).kind)).toEqual(['problem', 'recovered']);
    expect(lines.findIndex((l) => l.type === 'alert' && l.kind === 'problem')).toBe(
      lines.findIndex((l) => l.type === 'run' && l.run === 2) - 1,
    );
    expect(lines.findIndex((l) => l.type === 'alert' && l.kind === 'recovered')).toBe(
      lines.findIndex((l) => l.type === 'run' && l.run === 6) - 1,
    );
    expect(alerts[0]!.causes[0]).toMatchObject({ ruleId: 'isp-blocks-port', severity: 'error' });
    expect(alerts[0]!.summary).toMatch(/^Plex remote access problem \(Basement\): plex\.tv cannot reach/);
    expect(alerts[1]!.summary).toBe('Plex remote access recovered (Basement): no problems found');

    expect(result.stderr).toContain(
      `watching ${home.server.url} every 1 s (alerts after 2 run(s) in a new state); Ctrl-C stops`,
    );
    expect(result.stderr).toContain('watch stopped (after 6 runs): 6 runs, 2 alerts');
    // watch never asks Plex to re-check reachability (Plex calls that expensive and rate limited).
    expect(home.server.requests.filter((r) => r.path === '/myplex/refreshReachability')).toEqual([]);

    // --notify: each receiver got both alerts, in its own format.
    const at = (path: string): Delivery[] => deliveries.filter((d) => d.path === path);
    const json = at('/hook').map((d) => Alert.parse(JSON.parse(d.body)));
    expect(json.map((a) => a.kind)).toEqual(['problem', 'recovered']);
    expect(at('/hook')[0]!.headers['content-type']).toBe('application/json');
    const ntfy = at('/plex-alerts');
    expect(ntfy.map((d) => d.headers.tags)).toEqual(['rotating_light,plex', 'white_check_mark,plex']);
    expect(ntfy[0]!.headers.title).toMatch(/^Plex remote access problem \(Basement\)/);
    expect(ntfy[0]!.body).toMatch(/^\[error\] plex\.tv cannot reach .*\nFix: /);
    expect(ntfy[1]!.body).toBe('No problems found.');
    const discord = at('/api/webhooks/1/x').map(
      (d) =>
        JSON.parse(d.body) as {
          content: string;
          embeds: { title: string; fields: { name: string }[] }[];
          allowed_mentions: unknown;
        },
    );
    expect(discord.map((d) => d.embeds[0]!.title)).toEqual([
      'Plex remote access problem: Basement',
      'Plex remote access recovered: Basement',
    ]);
    expect(discord[0]!.embeds[0]!.fields[0]!.name).toBe('error: isp-blocks-port');
    expect(discord[0]!.allowed_mentions).toEqual({ parse: [] });
    const slack = at('/services/T/B/x').map((d) => JSON.parse(d.body) as { text: string; blocks: { type: string }[] });
    expect(slack.map((s) => s.blocks[0])).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Plex remote access problem' } },
      { type: 'header', text: { type: 'plain_text', text: 'Plex remote access recovered' } },
    ]);
    for (const delivery of deliveries) expect(delivery.body).not.toContain(home.token);

    // --exec: once per alert, the alert in PLEX_DIAGNOSE_ALERT_* and no PLEX_TOKEN.
    const blocks = readFileSync(execLog, 'utf8').split('----\n').filter(Boolean);
    expect(blocks).toHaveLength(2);
    const env = blocks.map((block) =>
      Object.fromEntries(
        block
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      ),
    );
    expect(env.map((e) => e.PLEX_DIAGNOSE_ALERT_KIND)).toEqual(['problem', 'recovered']);
    expect(env.map((e) => e.PLEX_DIAGNOSE_ALERT_STATE)).toEqual(['problem', 'healthy']);
    expect(env[0]).toMatchObject({
      PLEX_DIAGNOSE_ALERT_RULE: 'isp-blocks-port',
      PLEX_DIAGNOSE_ALERT_SEVERITY: 'error',
    });
    expect(env[0]!.PLEX_DIAGNOSE_ALERT_FIX).toMatch(/^Confirm with `plex-diagnose --experiment alternate-port`/);
    expect(Alert.parse(JSON.parse(env[1]!.PLEX_DIAGNOSE_ALERT_JSON!)).kind).toBe('recovered');
    for (const e of env) expect(e.PLEX_TOKEN).toBeUndefined();
  }, 45_000);
});

describe.concurrent('watch, stopped', () => {
  let home: Home;
  beforeAll(async () => {
    home = await startHome({ ispBlockedPorts: [32400] });
  });
  afterAll(() => home?.close());

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s stops it cleanly between runs: exit 0, a closing line, no hang',
    async (signal) => {
      const result = await sandbox.run(['watch', ...home.args(['--token', home.token, '--interval', '1h'])], {
        onSpawn: (child) => void waitForOutput(child, 'stdout', /run 1: /).then(() => child.kill(signal)),
      });
      expect(result.stdout).toMatch(/^\[[^\]]+\] run 1: error \(\d+ errors, \d+ warnings\): isp-blocks-port\n$/);
      expect(result.stderr).toContain(`plex-diagnose: ${signal}: stopping`);
      expect(result.stderr).toContain('watch stopped (interrupted): 1 runs, 0 alerts');
      expect(result.code).toBe(0);
    },
  );

  it("SIGINT during a run that waits on a slow server ends it at once, not at the run's 10 s deadlines", async () => {
    // A home of its own: the latency must not reach the other tests' runs.
    const slow = await startHome();
    slow.server.setLatency(30_000);
    try {
      const result = await sandbox.run(
        ['watch', ...slow.args(['--token', slow.token, '--timeout', '10s', '--interval', '1s'])],
        {
          // A run stuck for 10 s would overrun this: the interruption must not wait for it.
          timeoutMs: 8000,
          onSpawn: (child) =>
            void waitForOutput(child, 'stderr', /Ctrl-C stops\n/).then(() =>
              setTimeout(() => child.kill('SIGINT'), 300),
            ),
        },
      );
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('watch stopped (interrupted): 0 runs, 0 alerts');
      expect(result.code).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
