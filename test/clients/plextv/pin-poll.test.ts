import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, HttpError } from '../../../src/core/errors.js';
import { createPlexTvClient } from '../../../src/clients/plextv/client.js';
import { pinPollDelay } from '../../../src/clients/plextv/pin-poll.js';
import { startFakePlexTv, type FakePlexTv, type FakePlexTvOptions } from '../../../src/testing/fake-plex-tv/index.js';
import { caught } from './helpers.js';

const TOKEN = 'pin-poll-token-44abc';
let fake: FakePlexTv | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(options: FakePlexTvOptions = {}) {
  fake = await startFakePlexTv({ tokens: [TOKEN], ...options });
  const plexTv = createPlexTvClient({ baseUrl: fake.url, timeoutMs: 1000 });
  const pin = await plexTv.createPin();
  const polls = (): number =>
    fake!.requests.filter((r) => r.method === 'GET' && r.path === `/api/v2/pins/${pin.id}`).length;
  return { fake, plexTv, pin, polls };
}

describe('pollPin outcomes', () => {
  it('authorized: returns the token once the pin is linked, after exactly the polls it took', async () => {
    const { plexTv, pin, polls } = await setup({ pinAuthorizeAfterPolls: 2 });
    const outcome = await plexTv.pollPin(pin.id, { intervalMs: 10, timeoutMs: 5000 });
    expect(outcome).toEqual({ status: 'authorized', authToken: TOKEN });
    expect(polls()).toBe(3);
  });

  it('authorized when the user approves while we wait (linkPin)', async () => {
    const { fake, plexTv, pin, polls } = await setup();
    const waiting = plexTv.pollPin(pin.id, { intervalMs: 10, timeoutMs: 5000 });
    while (polls() < 2) await new Promise((r) => setTimeout(r, 5));
    fake.linkPin(pin.id, 'approved-token-xyz');
    expect(await waiting).toEqual({ status: 'authorized', authToken: 'approved-token-xyz' });
  });

  it('expired: 404 with code 1020 ends the wait', async () => {
    const { plexTv, pin, polls } = await setup({ pinExpiresAfterPolls: 1 });
    expect(await plexTv.pollPin(pin.id, { intervalMs: 10, timeoutMs: 5000 })).toEqual({ status: 'expired' });
    expect(polls()).toBe(2);
    // An id plex.tv never issued is "not found or expired" too.
    expect(await plexTv.pollPin(pin.id + 1000, { intervalMs: 10 })).toEqual({ status: 'expired' });
  });

  it("cancelled: the caller's signal ends the wait with an outcome, not a throw", async () => {
    const { plexTv, pin, polls } = await setup();
    const controller = new AbortController();
    const waiting = plexTv.pollPin(pin.id, { intervalMs: 10, timeoutMs: 10_000, signal: controller.signal });
    while (polls() < 2) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await waiting).toEqual({ status: 'cancelled' });
    const count = polls();
    const already = new AbortController();
    already.abort();
    expect(await plexTv.pollPin(pin.id, { signal: already.signal })).toEqual({ status: 'cancelled' });
    expect(polls()).toBe(count);
  });

  it('cancelled also by the client-wide signal, even in the middle of a hung request', async () => {
    const { fake, pin } = await setup();
    fake.setFault({ path: `/api/v2/pins/${pin.id}`, fault: { kind: 'hang' } });
    const controller = new AbortController();
    const plexTv = createPlexTvClient({ baseUrl: fake.url, signal: controller.signal, timeoutMs: 10_000 });
    const waiting = plexTv.pollPin(pin.id, { intervalMs: 10, timeoutMs: 10_000 });
    setTimeout(() => controller.abort(), 100);
    expect(await waiting).toEqual({ status: 'cancelled' });
  });

  it('timeout: a pin nobody approves, and a server that never answers, both end at our deadline', async () => {
    const { fake, plexTv, pin, polls } = await setup();
    expect(await plexTv.pollPin(pin.id, { intervalMs: 20, timeoutMs: 300 })).toEqual({ status: 'timeout' });
    expect(polls()).toBeGreaterThanOrEqual(1);
    fake.setFault({ path: `/api/v2/pins/${pin.id}`, fault: { kind: 'hang' } });
    // The client's per-call deadline (1000 ms here) is cut to the time left, so the wait ends at ~300 ms.
    expect(await plexTv.pollPin(pin.id, { intervalMs: 20, timeoutMs: 300 })).toEqual({ status: 'timeout' });
  });
});

describe('pollPin retries and backoff', () => {
  it('retries 5xx answers and reset connections within the deadline', async () => {
    const { fake, plexTv, pin, polls } = await setup({ pinAuthorizeAfterPolls: 0 });
    fake.setFault([
      { path: `/api/v2/pins/${pin.id}`, fault: { kind: 'status', status: 503 }, times: 1 },
      { path: `/api/v2/pins/${pin.id}`, fault: { kind: 'reset' }, times: 1 },
      { path: `/api/v2/pins/${pin.id}`, fault: { kind: 'malformed' }, times: 1 },
    ]);
    expect(await plexTv.pollPin(pin.id, { intervalMs: 10, timeoutMs: 5000 })).toEqual({
      status: 'authorized',
      authToken: TOKEN,
    });
    expect(polls()).toBe(4);
  });

  it('throws auth errors and unexplained 4xx instead of waiting', async () => {
    const { fake, plexTv, pin } = await setup();
    fake.setFault({
      path: `/api/v2/pins/${pin.id}`,
      fault: {
        kind: 'status',
        status: 401,
        contentType: 'application/json',
        body: '{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}',
      },
      times: 1,
    });
    const auth = await caught(plexTv.pollPin(pin.id, { intervalMs: 10, timeoutMs: 5000 }));
    expect(auth).toBeInstanceOf(AuthError);
    expect((auth as AuthError).plexErrors[0]?.code).toBe(1001);
    fake.setFault({
      path: `/api/v2/pins/${pin.id}`,
      fault: { kind: 'status', status: 404, body: 'no such thing', contentType: 'text/plain' },
      times: 1,
    });
    const notFound = await caught(plexTv.pollPin(pin.id, { intervalMs: 10, timeoutMs: 5000 }));
    expect(notFound).toBeInstanceOf(HttpError);
    expect((notFound as HttpError).status).toBe(404);
  });

  it('backs off: a growing interval polls fewer times than a fixed one in the same time', async () => {
    const { plexTv, pin, polls } = await setup();
    const timeoutMs = 600;
    await plexTv.pollPin(pin.id, { intervalMs: 20, maxIntervalMs: 20, timeoutMs });
    const fixed = polls();
    await plexTv.pollPin(pin.id, { intervalMs: 20, maxIntervalMs: 10_000, timeoutMs });
    const growing = polls() - fixed;
    // Polls can only be fewer than the schedule allows (a slow machine polls less, never more).
    // Poll k happens after the waits 0..k-1; count the polls that start before the deadline.
    let allowed = 0;
    for (let startsAt = 0; startsAt < timeoutMs; startsAt += pinPollDelay(allowed - 1, 20, 10_000)) allowed++;
    expect(growing).toBeLessThanOrEqual(allowed);
    expect(allowed).toBeLessThan(10);
    expect(fixed).toBeGreaterThan(growing);
  });

  it('rejects a pin id that is not a positive integer', async () => {
    const plexTv = createPlexTvClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(plexTv.pollPin(0)).rejects.toThrow(/positive integer/);
    await expect(plexTv.pollPin(1.5)).rejects.toThrow(/positive integer/);
  });
});
