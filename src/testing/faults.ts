/**
 * Faults the fake servers can inject, one per failure mode a real network produces: error statuses, a captive
 * portal's HTML, malformed or truncated payloads, bodies or headers that never finish, connections that never answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type FakeFault =
  /** Answer with this status (and optional body). */
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  /** 200 with a captive-portal HTML page. */
  | { kind: 'html' }
  /** 200 with a malformed payload in the requested format (unclosed XML element / broken JSON). */
  | { kind: 'malformed' }
  /** Declares a Content-Length, sends part of the body, then closes the socket. */
  | { kind: 'truncated' }
  /** Sends headers, then a body that trickles forever. */
  | { kind: 'endless' }
  /** Sends the status line, then header lines that trickle forever (slowloris). */
  | { kind: 'trickle-headers' }
  /** Accepts the connection and never answers. */
  | { kind: 'hang' }
  /** Destroys the socket without answering. */
  | { kind: 'reset' }
  /** A 200 body of `bytes` bytes. */
  | { kind: 'huge'; bytes: number }
  /** A redirect to `location`. */
  | { kind: 'redirect'; location: string; status?: number };

export interface FaultRule {
  /** Path (exact, without query) or pattern the fault applies to; all paths when absent. */
  path?: string | RegExp;
  method?: string;
  fault: FakeFault;
  /** How many requests it affects before it is spent; forever when absent. */
  times?: number;
}

const CAPTIVE_PORTAL = `<!DOCTYPE html>
<html><head><title>Hotel WiFi Login</title><meta charset="utf-8"><script>window.location='/login'</script></head>
<body><h1>Please sign in</h1><br><input type="text" name="room"></body></html>`;

/** Finds (and consumes one use of) the first rule matching a request. */
export function takeFault(rules: FaultRule[], method: string, path: string): FakeFault | undefined {
  const index = rules.findIndex(
    (rule) =>
      (rule.method === undefined || rule.method.toUpperCase() === method.toUpperCase()) &&
      (rule.path === undefined || (typeof rule.path === 'string' ? rule.path === path : rule.path.test(path))),
  );
  if (index < 0) return undefined;
  const rule = rules[index]!;
  if (rule.times !== undefined) {
    rule.times -= 1;
    if (rule.times <= 0) rules.splice(index, 1);
  }
  return rule.fault;
}

/**
 * Plays a fault on a response. Returns once the fault has been played (or, for never-ending faults, once started).
 * `format` picks the malformed payload flavour.
 */
export function playFault(
  fault: FakeFault,
  request: IncomingMessage,
  response: ServerResponse,
  format: 'json' | 'xml',
): void {
  const socket = request.socket;
  switch (fault.kind) {
    case 'status':
      response.writeHead(fault.status, { 'Content-Type': fault.contentType ?? 'text/html' });
      response.end(
        fault.body ?? `<html><head><title>${fault.status}</title></head><body><h1>${fault.status}</h1></body></html>`,
      );
      return;
    case 'html':
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(CAPTIVE_PORTAL);
      return;
    case 'malformed':
      if (format === 'json') {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end('{"MediaContainer":{"size":1,"Setting":[{"id":"x",');
      } else {
        response.writeHead(200, { 'Content-Type': 'text/xml;charset=utf-8' });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="1"><Setting id="x" value="1">\n</MediaContainer>\n',
        );
      }
      return;
    case 'truncated': {
      const partial =
        format === 'json'
          ? '{"MediaContainer":{"size":3,"machineIdentifier":"ab'
          : '<?xml version="1.0"?>\n<MediaContainer size="3" machineIdenti';
      response.writeHead(200, {
        'Content-Type': format === 'json' ? 'application/json' : 'text/xml',
        'Content-Length': String(partial.length + 500),
      });
      response.write(partial, () => socket.destroy());
      return;
    }
    case 'endless': {
      response.writeHead(200, { 'Content-Type': format === 'json' ? 'application/json' : 'text/xml' });
      response.write(format === 'json' ? '{"MediaContainer":{"Setting":[' : '<MediaContainer>');
      const timer = setInterval(() => response.write(format === 'json' ? '{"id":"a"},' : '<Setting id="a" />'), 50);
      const stop = (): void => clearInterval(timer);
      socket.once('close', stop);
      return;
    }
    case 'trickle-headers': {
      socket.write('HTTP/1.1 200 OK\r\n');
      let n = 0;
      const timer = setInterval(() => socket.write(`X-Trickle-${n++}: ${'a'.repeat(8)}\r\n`), 50);
      socket.once('close', () => clearInterval(timer));
      return;
    }
    case 'hang':
      // Keep the socket open and say nothing; the client's deadline must end it.
      return;
    case 'reset':
      socket.destroy();
      return;
    case 'huge': {
      response.writeHead(200, { 'Content-Type': format === 'json' ? 'application/json' : 'text/xml' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let remaining = fault.bytes;
      const pump = (): void => {
        while (remaining > 0) {
          const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
          remaining -= piece.length;
          if (!response.write(piece)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      socket.once('close', () => {
        remaining = 0;
      });
      pump();
      return;
    }
    case 'redirect':
      response.writeHead(fault.status ?? 302, { Location: fault.location });
      response.end();
      return;
  }
}
