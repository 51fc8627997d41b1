/**
 * GDM stops listening once the awaited server answered (issue 17 item 5), and only then: real UDP responders on
 * loopback addresses (127.0.0.2 is "the server", 127.0.0.3 another host), ordered by events, never by time. A window
 * that ran its course is seen in the repeat search (sent a third of the way in); one that stopped early, in a window
 * far longer than any test (the call returns at all) and in the probe's port being free again.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverGdm, isAwaitedReply, parseGdmReply, type GdmStopWhen } from '../../src/probes/gdm.js';
import { renderGdmReply, type FakeGdmServer } from '../../src/testing/fake-gdm.js';
import { startUdpResponder, type UdpResponder } from '../../src/testing/udp-responder.js';

const SERVER: FakeGdmServer = { machineIdentifier: 'a1'.repeat(20), name: 'living-room', port: 32400 };
const OTHER: FakeGdmServer = { machineIdentifier: 'b2'.repeat(20), name: 'basement', port: 32400 };
const HOUR = 3_600_000;

interface Responder {
  udp: UdpResponder;
  /** Searches received, in order. */
  searches: RemoteInfo[];
  /** Resolves once a reply was handed to the kernel (loopback: queued at the probe's socket). */
  replied: Promise<void>;
}

const open: UdpResponder[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((udp) => udp.close()));
});

/** A GDM responder on `host` that answers the searches `answerOn` picks (1-based), after `before` resolves. */
async function responder(
  host: string,
  server: FakeGdmServer,
  answerOn: (search: number) => boolean = () => true,
  before: () => Promise<void> = () => Promise.resolve(),
): Promise<Responder> {
  const searches: RemoteInfo[] = [];
  let markReplied!: () => void;
  const replied = new Promise<void>((resolve) => (markReplied = resolve));
  const udp = await startUdpResponder(host, 0, (message, from, self) => {
    if (!message.toString('latin1').startsWith('M-SEARCH')) return;
    searches.push(from);
    if (!answerOn(searches.length)) return;
    void before().then(() =>
      self.socket.send(Buffer.from(renderGdmReply(server)), from.port, from.address, () => markReplied()),
    );
  });
  open.push(udp);
  return { udp, searches, replied };
}

const target = (r: Responder, host: string) => ({ address: host, port: r.udp.port });
const stopAt = (address: string, machineIdentifier?: string): GdmStopWhen => ({
  addresses: [address],
  port: 32400,
  ...(machineIdentifier ? { machineIdentifier: () => machineIdentifier } : {}),
});

/** Whether the probe's socket was released: binding its port on loopback fails while it is still open. */
async function portIsFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  const free = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => resolve(true));
  });
  socket.close();
  return free;
}

describe('isAwaitedReply', () => {
  const reply = parseGdmReply(renderGdmReply(SERVER))!;
  it('is the server: its address and port, and its identifier when known', () => {
    expect(isAwaitedReply(stopAt('192.168.1.10'), reply, '192.168.1.10')).toBe(true);
    expect(isAwaitedReply(stopAt('192.168.1.10', SERVER.machineIdentifier), reply, '192.168.1.10')).toBe(true);
  });
  it('is not: another address with the same identifier, another port, or another identifier at its address', () => {
    expect(isAwaitedReply(stopAt('192.168.1.10', SERVER.machineIdentifier), reply, '192.168.1.66')).toBe(false);
    expect(isAwaitedReply({ ...stopAt('192.168.1.10'), port: 32401 }, reply, '192.168.1.10')).toBe(false);
    expect(isAwaitedReply(stopAt('192.168.1.10', OTHER.machineIdentifier), reply, '192.168.1.10')).toBe(false);
  });
  it('takes a reply without a Port header as 32400', () => {
    const bare = parseGdmReply('HTTP/1.0 200 OK\r\nContent-Type: plex/media-server\r\nResource-Identifier: x1\r\n')!;
    expect(isAwaitedReply(stopAt('10.0.0.5'), bare, '10.0.0.5')).toBe(true);
    expect(isAwaitedReply({ ...stopAt('10.0.0.5'), port: 8443 }, bare, '10.0.0.5')).toBe(false);
  });
});

describe('discoverGdm with stopWhen', () => {
  it('stops once the server answered: no repeat search, the socket closed, in a window of an hour', async () => {
    const server = await responder('127.0.0.2', SERVER);
    const result = await discoverGdm({
      targets: [target(server, '127.0.0.2')],
      timeoutMs: HOUR,
      stopWhen: stopAt('127.0.0.2'),
    });
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.value.servers.map((s) => [s.machineIdentifier, s.address])).toEqual([
      [SERVER.machineIdentifier, '127.0.0.2'],
    ]);
    expect(server.searches).toHaveLength(1);
    expect(await portIsFree(server.searches[0]!.port)).toBe(true);
  });

  it('still reports the servers that answered before the awaited one', async () => {
    const other = await responder('127.0.0.3', OTHER);
    // The server answers only once the other's reply is queued at the probe's socket: it is read first.
    const server = await responder('127.0.0.2', SERVER, undefined, () => other.replied);
    const result = await discoverGdm({
      targets: [target(other, '127.0.0.3'), target(server, '127.0.0.2')],
      timeoutMs: HOUR,
      stopWhen: stopAt('127.0.0.2', SERVER.machineIdentifier),
    });
    expect(result.status === 'ok' && result.value.servers.map((s) => [s.name, s.address])).toEqual([
      ['basement', '127.0.0.3'],
      ['living-room', '127.0.0.2'],
    ]);
    expect(server.searches).toHaveLength(1);
  });

  it('reports the same as without stopWhen when the server never answers: the whole window, repeat included', async () => {
    const run = async (stopWhen?: GdmStopWhen) => {
      const other = await responder('127.0.0.3', OTHER);
      const result = await discoverGdm({
        targets: [target(other, '127.0.0.3')],
        timeoutMs: 300,
        ...(stopWhen ? { stopWhen } : {}),
      });
      return { result, searches: other.searches.length };
    };
    const awaited = await run(stopAt('127.0.0.2', SERVER.machineIdentifier));
    const plain = await run();
    expect(awaited.searches).toBe(2);
    expect(plain.searches).toBe(2);
    const strip = (r: typeof awaited.result) =>
      r.status === 'ok' ? { ...r.value, targets: [], servers: r.value.servers.map((s) => s.machineIdentifier) } : r;
    expect(strip(awaited.result)).toEqual(strip(plain.result));
  });

  it("a spoofer answering first with the server's identifier does not end the window before the server's own answer", async () => {
    // The spoofer answers every search at once; the genuine server only the repeat, which a window ended by the
    // spoofer's copy would never send.
    const spoofer = await responder('127.0.0.3', { ...SERVER, name: 'spoof' });
    const server = await responder('127.0.0.2', SERVER, (n) => n === 2);
    const result = await discoverGdm({
      targets: [target(spoofer, '127.0.0.3'), target(server, '127.0.0.2')],
      timeoutMs: 600,
      stopWhen: stopAt('127.0.0.2', SERVER.machineIdentifier),
    });
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.value.servers).toHaveLength(1);
    expect(result.value.servers[0]!.addresses).toEqual(['127.0.0.3', '127.0.0.2']);
    expect(server.searches).toHaveLength(2);
  });

  it('a reply from the server address naming another identifier is another server: the window runs on', async () => {
    const second = await responder('127.0.0.2', OTHER);
    const result = await discoverGdm({
      targets: [target(second, '127.0.0.2')],
      timeoutMs: 300,
      stopWhen: stopAt('127.0.0.2', SERVER.machineIdentifier),
    });
    expect(result.status === 'ok' && result.value.servers.map((s) => s.machineIdentifier)).toEqual([
      OTHER.machineIdentifier,
    ]);
    expect(second.searches).toHaveLength(2);
  });
});
