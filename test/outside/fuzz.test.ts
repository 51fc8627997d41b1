/**
 * fast-check against the running reflector: arbitrary bodies and headers (unsigned, or signed with the right secret
 * over arbitrary JSON) get a 4xx and nothing else: no 5xx, no crash, and no connect-back unless the body is a valid
 * check request. A listener at the requester's address on the port every generated port field is steered towards
 * counts what got through.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRequest } from '../../src/outside/protocol.js';
import { startReflector, type RunningReflector } from '../../src/outside/reflector/server.js';
import { SECRET, sendRaw, signed, startCountingListener, type CountingListener } from './helpers.js';

let reflector: RunningReflector;
let target: CountingListener;
let decoy: CountingListener;

beforeAll(async () => {
  reflector = await startReflector({
    secret: SECRET,
    limits: { burst: 100_000, refillMs: 1000 },
    deadlines: { tcpMs: 500, tlsMs: 500, identityMs: 500 },
  });
  target = await startCountingListener('127.0.0.1');
  decoy = await startCountingListener('127.0.0.2', target.port);
});
afterAll(async () => {
  await Promise.all([reflector?.close(), target?.close(), decoy?.close()]);
});

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,80}$/);
const headers = fc.dictionary(token, headerValue, { maxKeys: 6 });
const bodies = (port: number) =>
  fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.json({ maxDepth: 3 }),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    // Near-valid check requests, with the port steered to the target's and extra fields mixed in.
    fc
      .record(
        {
          version: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
          ports: fc.array(
            fc.record(
              {
                port: fc.oneof(fc.constant(port), fc.integer(), fc.double(), fc.string()),
                tls: fc.anything(),
                identity: fc.oneof(fc.constant('http'), fc.string()),
                host: fc.constant('127.0.0.2'),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 10 },
          ),
          address: fc.constant('127.0.0.2'),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value)),
    // Valid requests for the target port, so the signed property exercises its 200 branch too.
    fc.constant(JSON.stringify({ version: 1, ports: [{ port }] })),
  );

describe('reflector fuzz', () => {
  it('unsigned: arbitrary method, path, headers and body → a 4xx, never a connect-back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
        fc.oneof(
          fc.constant('/v1/check'),
          fc.webPath().map((p) => p || '/'),
        ),
        headers,
        bodies(target.port),
        async (method, path, extra, body) => {
          const before = target.count();
          const answer = await sendRaw(reflector.port, {
            method,
            path,
            headers: { 'content-type': 'application/json', ...extra },
            body: method === 'GET' ? '' : body,
          });
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
          expect(target.count()).toBe(before);
          expect(decoy.count()).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('signed with the right secret over arbitrary bodies → 200 only for a valid check request, else 400; never the decoy', async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(bodies(target.port), headers, async (body, extra) => {
        const text = Buffer.isBuffer(body) ? body.toString('latin1') : String(body);
        const before = target.count();
        const answer = await sendRaw(reflector.port, signed(text, { extraHeaders: extra }));
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const ok = CheckRequest.safeParse(json).success;
        if (ok) valid += 1;
        expect(answer.status, answer.text).toBe(ok ? 200 : 400);
        if (!ok) expect(target.count()).toBe(before);
        expect(decoy.count()).toBe(0);
      }),
      { numRuns: 100 },
    );
    // The generator reaches the valid path too: the property is not vacuous on it.
    expect(valid).toBeGreaterThan(0);
  });
});
