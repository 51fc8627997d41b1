/**
 * A loopback TCP port that never completes a handshake: what a firewall that drops packets looks like to a client,
 * reproduced without root or a network namespace, so "filtered = timeout at the deadline" is testable anywhere.
 *
 * How (Linux): a child process listens with a backlog of 1 and then blocks its event loop forever, so it never
 * calls accept(). The kernel completes handshakes into the accept queue until it is full (backlog + 1 entries), and
 * from then on it drops every new SYN (`ListenOverflows`, with `net.ipv4.tcp_abort_on_overflow = 0`, the default):
 * the client sees silence, exactly like a DROP rule. We fill the queue with filler connections before handing out
 * the port. Non-routable addresses (10.255.255.1) are not used here because sandboxes and corporate networks often
 * proxy every outbound connection, which turns the black hole into an open port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';

export interface BlackHoleListener {
  readonly host: string;
  readonly port: number;
  /** Kills the child process and destroys the filler connections. */
  close(): Promise<void>;
}

export interface BlackHoleOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** How long a filler may take to connect before we consider the queue full. @default 250 */
  settleMs?: number;
}

const CHILD_SCRIPT = `
const server = require('node:net').createServer();
server.listen({ host: process.argv[1], port: 0, backlog: 1 }, () => {
  process.stdout.write(String(server.address().port) + '\\n', () => {
    // Block the event loop: accept() is never called again, the accept queue stays full.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
});
`;

export async function startBlackHoleListener(options: BlackHoleOptions = {}): Promise<BlackHoleListener> {
  const host = options.host ?? '127.0.0.1';
  const settleMs = options.settleMs ?? 250;
  const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, host], { stdio: ['ignore', 'pipe', 'inherit'] });
  const fillers: Socket[] = [];
  const close = async (): Promise<void> => {
    for (const socket of fillers) socket.destroy();
    await killChild(child);
  };
  try {
    const port = await readPort(child);
    // Fill the accept queue: stop at the first filler whose handshake does not complete (its SYN was dropped).
    for (let i = 0; i < 16; i++) {
      const socket = connect({ host, port });
      socket.on('error', () => undefined);
      fillers.push(socket);
      const connected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), settleMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!connected) return { host, port, close };
    }
    throw new Error('black-hole listener: the accept queue never filled (is this Linux?)');
  } catch (error) {
    await close();
    throw error;
  }
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('black-hole listener: the child did not start in 10 s')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = /^(\d+)\n/.exec(text);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`black-hole listener: the child exited (${String(code)})`));
    });
  });
}

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
