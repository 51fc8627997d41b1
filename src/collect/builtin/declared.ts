/**
 * Declared facts enter the snapshot like any observation, so `collect > s.json` then `analyze s.json` keeps them.
 * A fact the user did not state is `skipped` with how to state it: the rule that needed it then says so.
 */
import { defineCollector, type CollectorContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';
import { DeclaredForwards, DeclaredFrontDoor, DeclaredKubernetes, DeclaredRemoteAccess } from '../values/declared.js';

const via = (ctx: CollectorContext<CollectServices>) => ctx.services.declared?.via ?? 'flag';

export const declaredForwards = defineCollector({
  id: 'declared.forwards',
  title: 'Your router forwards (as you stated them)',
  schema: DeclaredForwards,
  // No I/O, but a collector is async by contract: a skip must reject, not throw synchronously.
  collect: (ctx: CollectorContext<CollectServices>) =>
    Promise.resolve().then(() => {
      const forwards = ctx.services.declared?.forwards ?? [];
      if (forwards.length === 0) ctx.skip('not stated (--forward 32400:192.168.1.10:32400)');
      return { via: via(ctx), forwards };
    }),
});

export const declaredRemoteAccess = defineCollector({
  id: 'declared.remoteAccess',
  title: 'Whether remote access fails from outside (as you stated it)',
  schema: DeclaredRemoteAccess,
  // No I/O, but a collector is async by contract: a skip must reject, not throw synchronously.
  collect: (ctx: CollectorContext<CollectServices>) =>
    Promise.resolve().then(() => {
      const fails = ctx.services.declared?.failsFromOutside;
      if (fails === undefined) ctx.skip('not stated (--says-remote-fails)');
      return { via: via(ctx), failsFromOutside: fails };
    }),
});

export const declaredFrontDoor = defineCollector({
  id: 'declared.frontDoor',
  title: 'A reverse proxy or tunnel in front of Plex (as you stated it)',
  schema: DeclaredFrontDoor,
  // No I/O, but a collector is async by contract: a skip must reject, not throw synchronously.
  collect: (ctx: CollectorContext<CollectServices>) =>
    Promise.resolve().then(() => {
      const kind = ctx.services.declared?.frontDoor;
      if (kind === undefined) ctx.skip('not stated (--behind-proxy or --behind-tunnel)');
      return { via: via(ctx), kind };
    }),
});

export const declaredKubernetes = defineCollector({
  id: 'declared.kubernetes',
  title: 'Plex runs in Kubernetes (as you stated it)',
  schema: DeclaredKubernetes,
  // No I/O, but a collector is async by contract: a skip must reject, not throw synchronously.
  collect: (ctx: CollectorContext<CollectServices>) =>
    Promise.resolve().then(() => {
      const kubernetes = ctx.services.declared?.kubernetes;
      if (kubernetes === undefined) ctx.skip('not stated (--kubernetes)');
      return { via: via(ctx), kubernetes };
    }),
});

export const declaredCollectors = [declaredForwards, declaredRemoteAccess, declaredFrontDoor, declaredKubernetes];
