/** Collectors over the Plex Media Server's own API. */
import { isAuthError } from '../../core/errors.js';
import { ServerIdentity, ServerRoot, MyPlexAccount, ServerPrefs } from '../../clients/server/index.js';
import { defineCollector, type CollectorContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';
import { probeBudget } from './probe-value.js';

const NO_TOKEN = 'no token: pass --token, set PLEX_TOKEN or run `plex-diagnose login`';

/**
 * Token-less runs still try: a server lists networks allowed without auth (allowedNetworks). A 401 then means
 * "needs a token" (skipped, with the reason), not "the token is wrong".
 */
async function withOptionalToken<T>(ctx: CollectorContext<CollectServices>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!ctx.services.tokenProvided && isAuthError(error))
      ctx.skip(`${NO_TOKEN} (the server answered ${error.status})`);
    throw error;
  }
}

const call = (ctx: CollectorContext<CollectServices>) => ({
  signal: ctx.signal,
  timeoutMs: probeBudget(ctx.timeoutMs),
});

// None of these reads /identity, so none waits for it: all four requests go out at once (an unreachable server then
// costs one deadline, not two; bench/e2e-latency.ts).

export const serverIdentity = defineCollector({
  id: 'server.identity',
  title: 'Plex Media Server /identity',
  schema: ServerIdentity,
  collect: (ctx: CollectorContext<CollectServices>) => ctx.services.server.identity(call(ctx)),
});

export const serverRoot = defineCollector({
  id: 'server.root',
  title: 'Plex Media Server status',
  schema: ServerRoot,
  collect: (ctx: CollectorContext<CollectServices>) =>
    withOptionalToken(ctx, () => ctx.services.server.root(call(ctx))),
});

export const serverPrefs = defineCollector({
  id: 'server.prefs',
  title: 'Plex Media Server settings',
  schema: ServerPrefs,
  collect: (ctx: CollectorContext<CollectServices>) =>
    withOptionalToken(ctx, () => ctx.services.server.prefs(call(ctx))),
});

export const serverAccount = defineCollector({
  id: 'server.account',
  title: 'Remote access mapping state',
  schema: MyPlexAccount,
  collect: (ctx: CollectorContext<CollectServices>) =>
    withOptionalToken(ctx, () => ctx.services.server.account(call(ctx))),
});
