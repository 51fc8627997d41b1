import rule from '../../../src/rules/builtin/remote-streaming-entitlement.js';
import type { Observation } from '../../../src/core/observation.js';
import { ServerRootFor, accountValue, ok } from '../support/entitlement.js';
import { RuleTester } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
const rootSubscription = (value: boolean | undefined) => (o: O) => void (o['server.root'] = ok(ServerRootFor(value)));
const accountSubscription = (value: boolean | undefined) => (o: O) =>
  void (o['server.account'] = ok(
    accountValue(value === undefined ? { subscriptionActive: undefined } : { subscriptionActive: value }),
  ));
const userSubscription = (subscription: Record<string, unknown> | undefined) => (o: O) =>
  void (o['plextv.user'] = ok({ id: 1, username: 'plexowner', ...(subscription ? { subscription } : {}) }));
const freeOwner = (o: O) => (
  rootSubscription(false)(o),
  accountSubscription(false)(o),
  userSubscription({ active: false, status: 'Inactive', features: [] })(o)
);
const failing = (o: O) =>
  void (o['server.account'] = ok(
    accountValue({ mappingState: 'failed', mappingError: 'unreachable', subscriptionActive: false }),
  ));

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: the owner has Plex Pass', evidence: /myPlexSubscription=1/ },
    {
      name: "the server root says 0, but plex.tv says the owner's subscription is active",
      observations: (o) => (rootSubscription(false)(o), accountSubscription(undefined)(o)),
      evidence: /active=true/,
    },
    {
      name: 'XML without `active`, status Active: not read as free',
      observations: (o) => (
        rootSubscription(undefined)(o),
        accountSubscription(undefined)(o),
        userSubscription({ active: false, status: 'Active', features: [] })(o)
      ),
      evidence: /status=Active/,
    },
  ],
  invalid: [
    {
      name: 'remote access works, every source says no Plex Pass',
      observations: freeOwner,
      expect: [
        {
          messageId: 'noPlexPass',
          severity: 'info',
          confidence: 'high',
          fixId: 'getPass',
          mentions: ['29 April 2025', 'Remote Watch Pass', 'Nothing to change on the network'],
        },
      ],
    },
    {
      name: 'only the server root read (no plex.tv): myPlexSubscription=0',
      observations: (o) => (
        rootSubscription(false)(o),
        accountSubscription(undefined)(o),
        delete o['plextv.user'],
        delete o['plextv.resources']
      ),
      expect: [{ messageId: 'noPlexPass', confidence: 'medium' }],
    },
  ],
  notChecked: [
    {
      name: 'no subscription evidence at all',
      observations: (o) => (rootSubscription(undefined)(o), accountSubscription(undefined)(o), delete o['plextv.user']),
      reason: /Plex Pass status was not read/,
      howToCheck: /owner's token/,
    },
    {
      name: "a shared user's token: their subscription is not the owner's",
      observations: (o) => (
        rootSubscription(undefined)(o),
        accountSubscription(undefined)(o),
        userSubscription({ active: false, features: [] })(o),
        (o['server.root'] = ok(ServerRootFor(undefined, 'someoneelse'))),
        delete o['plextv.resources']
      ),
      reason: /Plex Pass status was not read/,
    },
    {
      name: 'free owner, but remote access fails: the network comes first',
      observations: (o) => (freeOwner(o), failing(o)),
      reason: /not known to work/,
    },
  ],
});
