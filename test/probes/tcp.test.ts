import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTcp, tcpState, TcpProbeValue } from '../../src/probes/tcp.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { startBlackHoleListener, type BlackHoleListener } from '../../src/testing/black-hole.js';

interface Listener {
  server: Server;
  port: number;
  /** Connections the server has seen close (the probe must close what it opens). */
  closedConnections: number;
  close(): Promise<void>;
}

async function listen(host: string): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server = createServer();
  const listener: Listener = {
    server,
    port: 0,
    closedConnections: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      listener.closedConnections += 1;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  listener.port = (server.address() as { port: number }).port;
  const close = listener.close.bind(listener);
  listener.close = () => {
    for (const socket of sockets) socket.destroy();
    return close();
  };
  return listener;
}

/** A port nothing listens on: bind one, note it, close it. */
async function freePort(host: string): Promise<number> {
  const listener = await listen(host);
  await listener.close();
  return listener.port;
}

async function canListenOn(host: string): Promise<boolean> {
  try {
    await (await listen(host)).close();
    return true;
  } catch {
    return false;
  }
}

const waitFor = async (condition: () => boolean, ms = 2000): Promise<void> => {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
};

function failed<T>(result: ProbeResult<T>): Extract<ProbeResult<T>, { status: 'failed' }> {
  expect(result.status).toBe('failed');
  return result as Extract<ProbeResult<T>, { status: 'failed' }>;
}

describe('probeTcp against real loopback peers', () => {
  let v4: Listener;
  let hasV6 = false;
  beforeAll(async () => {
    v4 = await listen('127.0.0.1');
    hasV6 = await canListenOn('::1');
  });
  afterAll(async () => {
    await v4.close();
  });

  it('reports an open IPv4 port with the address, family and a handshake time, and closes its socket', async () => {
    const before = v4.closedConnections;
    const result = await probeTcp('127.0.0.1', v4.port, { timeoutMs: 1000 });
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(TcpProbeValue.parse(result.value)).toEqual({
      address: '127.0.0.1',
      port: v4.port,
      family: 4,
      rttMs: result.value.rttMs,
    });
    expect(result.value.rttMs).toBeGreaterThanOrEqual(0);
    expect(tcpState(result)).toBe('open');
    // The probe must not leave its connection open: the server sees it close.
    await waitFor(() => v4.closedConnections > before);
    expect(v4.closedConnections).toBeGreaterThan(before);
  });

  it('resolves a name first (localhost → 127.0.0.1) and connects to the address that answers', async () => {
    const result = await probeTcp('localhost', v4.port, { timeoutMs: 1000, family: 4 });
    expect(result.status).toBe('ok');
    if (result.status === 'ok') expect(result.value).toMatchObject({ address: '127.0.0.1', family: 4 });
  });

  it('reports an open IPv6 port on ::1, with or without brackets', async (context) => {
    if (!hasV6) context.skip('this machine has no ::1 (IPv6 loopback disabled)');
    const v6 = await listen('::1');
    try {
      for (const host of ['::1', '[::1]']) {
        const result = await probeTcp(host, v6.port, { timeoutMs: 1000 });
        expect(result.status).toBe('ok');
        if (result.status === 'ok') expect(result.value).toMatchObject({ address: '::1', port: v6.port, family: 6 });
      }
    } finally {
      await v6.close();
    }
  });

  it('reports a closed port as refused (phase connect, ECONNREFUSED) on IPv4 and IPv6', async () => {
    const hosts = hasV6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    for (const host of hosts) {
      const port = await freePort(host);
      const result = failed(await probeTcp(host, port, { timeoutMs: 1000 }));
      expect(result.error).toMatchObject({ phase: 'connect', code: 'ECONNREFUSED' });
      expect(result.error.message).toContain(String(port));
      expect(tcpState(result)).toBe('refused');
    }
  });

  it('reports a name that does not resolve as a DNS failure (phase dns)', async () => {
    const result = failed(await probeTcp('no-such-host.invalid', 32400, { timeoutMs: 2000 }));
    expect(result.error.phase).toBe('dns');
    expect(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']).toContain(result.error.code);
    expect(tcpState(result)).toBe('dns-failed');
  });

  it('refuses an invalid port as a result, not an exception', async () => {
    for (const port of [0, 65536, 1.5, Number.NaN]) {
      const result = failed(await probeTcp('127.0.0.1', port));
      expect(result.error.code).toBe('EINVAL');
    }
  });
});

describe('probeTcp against a port that never answers', () => {
  let hole: BlackHoleListener;
  beforeAll(async () => {
    hole = await startBlackHoleListener();
  });
  afterAll(async () => {
    await hole.close();
  });

  it('returns filtered (phase timeout, ETIMEDOUT) at its deadline when SYNs are dropped (local full-backlog listener)', async () => {
    const timeoutMs = 300;
    const result = failed(await probeTcp(hole.host, hole.port, { timeoutMs }));
    expect(result.error).toMatchObject({ phase: 'timeout', code: 'ETIMEDOUT' });
    expect(tcpState(result)).toBe('filtered');
    expect(result.durationMs).toBeLessThan(timeoutMs * 5);
  });

  it('stops at once when the caller aborts, with EABORTED', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = failed(await probeTcp(hole.host, hole.port, { timeoutMs: 10_000, signal: controller.signal }));
    expect(result.error.code).toBe('EABORTED');
    expect(tcpState(result)).toBe('error');
    expect(result.durationMs).toBeLessThan(5000);
  });

  it('returns filtered at its deadline for a non-routable address (10.255.255.1), where the network drops it', async (context) => {
    const environment = await rawConnectOutcome('10.255.255.1', 32400, 400);
    // Some sandboxes and corporate networks proxy every outbound connection (it "connects"), others have no route.
    if (environment !== 'pending')
      context.skip(`this network does not black-hole 10.255.255.1 (a raw connect was ${environment})`);
    const result = failed(await probeTcp('10.255.255.1', 32400, { timeoutMs: 300 }));
    expect(result.error).toMatchObject({ phase: 'timeout', code: 'ETIMEDOUT' });
    expect(tcpState(result)).toBe('filtered');
  });
});

describe('tcpState', () => {
  const failure = (phase: 'connect' | 'dns' | 'timeout' | 'request', code: string): ProbeResult<never> => ({
    status: 'failed',
    error: { phase, code, message: code },
    durationMs: 1,
  });

  it('maps ICMP unreachable codes to unreachable, kernel ETIMEDOUT to filtered, and the rest to error', () => {
    expect(tcpState(failure('connect', 'EHOSTUNREACH'))).toBe('unreachable');
    expect(tcpState(failure('connect', 'ENETUNREACH'))).toBe('unreachable');
    // The kernel gives up on its own SYN retries with ETIMEDOUT in the connect phase when our deadline is longer.
    expect(tcpState(failure('connect', 'ETIMEDOUT'))).toBe('filtered');
    expect(tcpState(failure('dns', 'EAI_AGAIN'))).toBe('dns-failed');
    expect(tcpState(failure('request', 'EUNKNOWN'))).toBe('error');
  });
});

/** What a plain `net.connect` does in this environment within `ms`: connected, an error code, or still pending. */
function rawConnectOutcome(host: string, port: number, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('pending'), ms);
    socket.once('connect', () => done('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
  });
}
