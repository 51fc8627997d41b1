/** The server root with or without `myPlexSubscription`, for the entitlement rule's table. */
import { ServerRoot } from '../../../src/clients/server/index.js';
import { HOME } from '../../../src/testing/observations.js';

export { accountValue, ok } from '../../../src/testing/observations.js';

export function ServerRootFor(subscription: boolean | undefined, username = 'plexowner'): ServerRoot {
  return ServerRoot.parse({
    machineIdentifier: HOME.machineIdentifier,
    myPlex: true,
    myPlexMappingState: 'mapped',
    myPlexSigninState: 'ok',
    myPlexUsername: username,
    ...(subscription === undefined ? {} : { myPlexSubscription: subscription ? '1' : '0' }),
  });
}
