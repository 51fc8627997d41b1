/**
 * The per-forward tracker behind `watch` with --reflector, fed runs as data: one alert per forward that breaks (which,
 * since when, why), one on recovery, nothing for flapping, and a reflector that is down is one note, never a forward
 * failure. Adversarial sequences: flapping, never up, gaps in the middle of a pending change, ports missing from the
 * answer, a finding that carries a token.
 */
import { describe, expect, it } from 'vitest';
import { Alert } from '../../src/watch/alert.js';
import { createForwardWatch, type ForwardWatchOptions } from '../../src/watch/forward-watch.js';
import type { TcpState } from '../../src/probes/tcp.js';
import { diagnosis, PLANTED_TOKEN } from './helpers.js';
import { at, outsideReport, type OutsideRun, type PortState } from './forward-helpers.js';

const NAS = { externalPort: 8443, host: '192.168.1.20', internalPort: 443, label: 'nas' };
const SSH = { externalPort: 2222, host: '192.168.1.21', internalPort: 22 };
const GAME = { externalPort: 25565 };
const FORWARDS = [NAS, SSH, GAME];
const signal = new AbortController().signal;

const allOpen = { 8443: 'open', 2222: 'open', 25565: 'open' } as const;
const withNas = (state: PortState): Record<number, PortState> => ({ ...allOpen, 8443: state });

/** Feeds the runs in order; returns every alert with the 1-based run that confirmed it. LAN probes answer `lan`. */
async function feed(
  runs: (OutsideRun | 'failed')[],
  options: Partial<ForwardWatchOptions> & { lan?: Record<string, TcpState> } = {},
): Promise<{ run: number; alert: Alert }[]> {
  const watch = createForwardWatch({
    forwards: FORWARDS,
    debounce: 2,
    probeLan: (host, port) => Promise.resolve(options.lan?.[`${host}:${port}`] ?? 'open'),
    ...options,
  });
  const out: { run: number; alert: Alert }[] = [];
  for (const [i, run] of runs.entries()) {
    const outcome = run === 'failed' ? { error: new Error('server restarting') } : { report: outsideReport(run) };
    for (const alert of await watch.observe(outcome, at(i + 1), signal)) {
      expect(() => Alert.parse(alert)).not.toThrow();
      out.push({ run: i + 1, alert });
    }
  }
  return out;
}

describe('forward watch: which forward, since when, once', () => {
  it('a forward that breaks: one alert naming it, since its first failing run; one recovery; the others never alert', async () => {
    const runs: OutsideRun[] = [
      { ports: allOpen },
      { ports: allOpen },
      { ports: withNas('refused') }, // run 3: first failing
      { ports: withNas('refused') }, // run 4: confirmed
      { ports: withNas('refused') },
      { ports: withNas('refused') },
      { ports: allOpen }, // run 7: back
      { ports: allOpen }, // run 8: confirmed
      { ports: allOpen },
    ];
    const alerts = await feed(runs, { lan: { '192.168.1.20:443': 'refused' } });
    expect(alerts.map((a) => [a.run, a.alert.kind, a.alert.forward?.externalPort])).toEqual([
      [4, 'forward-broken', 8443],
      [8, 'forward-recovered', 8443],
    ]);
    const broken = alerts[0]!.alert;
    expect(broken.forward).toEqual({
      externalPort: 8443,
      target: '192.168.1.20:443',
      label: 'nas',
      since: at(3),
      seen: 'refused',
      cause: 'host-down',
    });
    expect(broken.summary).toContain('port 8443 → 192.168.1.20:443 (nas)');
    expect(broken.summary).toContain(`since ${at(3)}`);
    expect(broken.causes[0]).toMatchObject({ ruleId: 'forward-watch', messageId: 'host-down' });
    expect(broken.causes[0]!.message).toContain('192.168.1.20:443');
    const recovered = alerts[1]!.alert;
    expect(recovered.forward).toMatchObject({ since: at(7), brokenSince: at(3) });
    expect(recovered.summary).toContain('port 8443 → 192.168.1.20:443 (nas) answers from outside again');
  });

  it('flapping (broken every other run) never alerts', async () => {
    const runs = Array.from({ length: 12 }, (_, i) => ({ ports: withNas(i % 2 ? 'filtered' : 'open') }));
    expect(await feed(runs)).toEqual([]);
  });

  it('a forward that was never up: one alert, saying so, and nothing more while it stays down', async () => {
    const runs = Array.from({ length: 6 }, () => ({ ports: { ...allOpen, 25565: 'filtered' as const } }));
    const alerts = await feed(runs);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.run).toBe(2);
    expect(alerts[0]!.alert.previous).toBeNull();
    expect(alerts[0]!.alert.summary).toContain('not seen working since the watch started');
    expect(alerts[0]!.alert.forward).toMatchObject({ externalPort: 25565, since: at(1), cause: 'unknown' });
  });

  it('the reflector down is ONE "outside unavailable" note and no forward alert, and forwards go on after it', async () => {
    const runs: OutsideRun[] = [
      { ports: allOpen },
      { ports: allOpen },
      { down: 'EREFLECTOR_RATE_LIMITED' },
      { down: 'ECONNREFUSED' },
      { down: 'ECONNREFUSED' },
      { down: 'ETIMEDOUT' },
      { ports: allOpen },
      { ports: allOpen },
      { down: 'ECONNREFUSED' },
      { down: 'ECONNREFUSED' },
    ];
    const alerts = await feed(runs);
    expect(alerts.map((a) => [a.run, a.alert.kind])).toEqual([
      [4, 'outside-unavailable'],
      [10, 'outside-unavailable'], // a new outage after the reflector answered again
    ]);
    expect(alerts[0]!.alert.summary).toContain(`since ${at(3)}`);
    expect(alerts[0]!.alert.forward).toBeUndefined();
  });

  it('a reflector outage is a gap: it neither confirms nor clears a pending break', async () => {
    const runs: OutsideRun[] = [
      { ports: allOpen },
      { ports: allOpen },
      { ports: withNas('filtered') },
      { down: 'ECONNREFUSED' },
      { ports: withNas('filtered') },
    ];
    const alerts = await feed(runs);
    expect(alerts.map((a) => [a.run, a.alert.kind])).toEqual([[5, 'forward-broken']]);
    expect(alerts[0]!.alert.forward?.since).toBe(at(3));
  });

  it('a failed diagnosis and a port missing from the answer say nothing about a forward', async () => {
    const runs: (OutsideRun | 'failed')[] = [
      { ports: allOpen },
      { ports: allOpen },
      'failed',
      'failed',
      'failed',
      { ports: { 2222: 'open', 25565: 'open' } },
      { ports: { 2222: 'open', 25565: 'open' } },
      { ports: allOpen },
    ];
    expect(await feed(runs)).toEqual([]);
  });

  it('with debounce 1 the first failing run alerts, and since is that run', async () => {
    const alerts = await feed([{ ports: allOpen }, { ports: withNas('refused') }], { debounce: 1 });
    expect(alerts.map((a) => [a.run, a.alert.kind, a.alert.forward?.since])).toEqual([[2, 'forward-broken', at(2)]]);
  });

  it('probes the LAN side only of forwards seen broken, and only when the host is known', async () => {
    const probed: string[] = [];
    const watch = createForwardWatch({
      forwards: FORWARDS,
      debounce: 2,
      probeLan: (host, port) => {
        probed.push(`${host}:${port}`);
        return Promise.resolve('open');
      },
    });
    await watch.observe({ report: outsideReport({ ports: allOpen }) }, at(1), signal);
    expect(probed).toEqual([]);
    await watch.observe(
      { report: outsideReport({ ports: { 8443: 'open', 2222: 'refused', 25565: 'filtered' } }) },
      at(2),
      signal,
    );
    expect(probed).toEqual(['192.168.1.21:22']);
  });

  it('refuses more than 64 forwards and a port listed twice', () => {
    const many = Array.from({ length: 65 }, (_, i) => ({ externalPort: 1000 + i }));
    expect(() => createForwardWatch({ forwards: many })).toThrow(/at most 64/);
    expect(() => createForwardWatch({ forwards: [GAME, GAME] })).toThrow(/at most once/);
    expect(() => createForwardWatch({ forwards: [GAME], debounce: 0 })).toThrow(/debounce/);
  });

  it('rows give the page each forward: state, since, what outside saw, cause', async () => {
    const watch = createForwardWatch({ forwards: FORWARDS, debounce: 1, probeLan: () => Promise.resolve('open') });
    await watch.observe({ report: outsideReport({ ports: withNas('refused') }) }, at(1), signal);
    expect(watch.rows()).toEqual([
      {
        externalPort: 8443,
        name: 'port 8443 → 192.168.1.20:443 (nas)',
        state: 'broken',
        since: at(1),
        cause: 'not-forwarded',
        seen: 'refused',
      },
      { externalPort: 2222, name: 'port 2222 → 192.168.1.21:22', state: 'open', since: at(1), seen: 'open' },
      { externalPort: 25565, name: 'port 25565', state: 'open', since: at(1), seen: 'open' },
    ]);
  });
});

describe('forward watch: the cause', () => {
  const breakNas = async (broken: OutsideRun, before: OutsideRun = { ports: allOpen }, lan?: TcpState) => {
    const alerts = await feed([before, before, broken, broken], lan ? { lan: { '192.168.1.20:443': lan } } : {});
    expect(alerts).toHaveLength(1);
    return alerts[0]!.alert;
  };

  it('host down: the LAN side does not answer either', async () => {
    const alert = await breakNas({ ports: withNas('refused') }, undefined, 'refused');
    expect(alert.forward?.cause).toBe('host-down');
  });

  it('not forwarded: the public address refuses while the host answers on the LAN', async () => {
    const alert = await breakNas({ ports: withNas('refused') }, undefined, 'open');
    expect(alert.forward?.cause).toBe('not-forwarded');
    expect(alert.causes[0]!.fix).toContain("router's forward of port 8443 to 192.168.1.20:443");
  });

  it('filtered upstream: a timeout while the router holds the mapping and the host answers', async () => {
    const upnp = { ports: [8443], complete: true };
    const alert = await breakNas({ ports: withNas('filtered'), upnp }, { ports: allOpen, upnp }, 'open');
    expect(alert.forward?.cause).toBe('filtered-upstream');
  });

  it('mapping gone: the complete UPnP table held it while it worked and holds it no more', async () => {
    const alert = await breakNas(
      { ports: withNas('filtered'), upnp: { ports: [], complete: true } },
      { ports: allOpen, upnp: { ports: [8443], complete: true } },
    );
    expect(alert.forward?.cause).toBe('mapping-gone');
  });

  it('an incomplete UPnP table proves no mapping gone', async () => {
    const alert = await breakNas(
      { ports: withNas('filtered'), upnp: { ports: [], complete: false } },
      { ports: allOpen, upnp: { ports: [8443], complete: true } },
      'open',
    );
    expect(alert.forward?.cause).toBe('unknown');
    expect(alert.causes[0]!.fix).toMatch(/What would tell: .*UPnP table/);
  });

  it('WAN address changed since the forward last worked', async () => {
    const alert = await breakNas({ ports: withNas('filtered'), wan: '84.9.9.9' });
    expect(alert.forward?.cause).toBe('wan-changed');
    expect(alert.causes[0]!.message).toContain('from 84.1.1.2 to 84.9.9.9');
  });

  it('another server answers on the port', async () => {
    const alert = await breakNas({ ports: withNas('wrong-host') });
    expect(alert.forward).toMatchObject({ cause: 'wrong-host', seen: 'another server' });
  });

  it('unknown says what would tell, and a rule finding about the port speaks instead (redacted)', async () => {
    const finding = diagnosis({
      ruleId: 'isp-blocks-port',
      message: `The ISP drops inbound 25565 (seen at http://84.1.1.2:25565/?X-Plex-Token=${PLANTED_TOKEN})`,
    });
    finding.data = { port: 25565 };
    const alerts = await feed([
      { ports: { ...allOpen, 25565: 'filtered' }, diagnoses: [finding] },
      { ports: { ...allOpen, 25565: 'filtered' }, diagnoses: [finding] },
    ]);
    const alert = alerts[0]!.alert;
    expect(alert.forward?.cause).toBe('unknown');
    expect(alert.causes[0]!.fix).toContain('--forward 25565:<host>:<port>');
    expect(alert.causes[1]).toMatchObject({ ruleId: 'isp-blocks-port' });
    expect(alert.summary).toContain('The ISP drops inbound 25565');
    expect(JSON.stringify(alert)).not.toContain(PLANTED_TOKEN);
  });
});
