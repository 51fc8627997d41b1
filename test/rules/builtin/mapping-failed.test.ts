import rule from '../../../src/rules/builtin/mapping-failed.js';
import { accountValue, ok, skipped } from '../../../src/testing/observations.js';
import { outside, plexPort, frontDoorPort } from '../../helpers/outside.js';
import { RuleTester } from '../../../src/testing/index.js';

const account = (overrides: Record<string, unknown>) => (o: Record<string, unknown>) => {
  o['server.account'] = ok(accountValue(overrides));
};

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'mapped, no error (healthy)' },
    {
      name: 'remote access off: state unknown, no error',
      observations: account({ mappingState: 'unknown', mappingError: '' }),
    },
  ],
  invalid: [
    {
      name: 'unreachable, addresses cleared as a real server does',
      observations: account({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
      // The endpoint falls back to plex.tv's record of the server's public address.
      expect: [{ messageId: 'unreachable', confidence: 'high', data: { endpoint: '84.1.1.2:32400' }, fixId: 'retest' }],
    },
    {
      name: 'the only finding: its fix says what to check, not "the cause named above"',
      observations: account({ mappingState: 'failed', mappingError: 'unreachable', publicAddress: '', publicPort: 0 }),
      expect: [{ messageId: 'unreachable', fixId: 'retest', mentions: ['Port Forwarding page', 'possible causes'] }],
    },
    {
      name: 'Tautulli\'s "mapped, but unreachable" shape: state mapped with error unreachable',
      observations: account({ mappingState: 'mapped', mappingError: 'unreachable' }),
      expect: [{ messageId: 'unreachable' }],
    },
    {
      name: 'publisherror',
      observations: account({ mappingState: 'failed', mappingError: 'publisherror' }),
      expect: [{ messageId: 'publishError', fixId: 'allowPlexTv' }],
    },
    {
      name: 'badauth',
      observations: account({ mappingState: 'failed', mappingError: 'badauth' }),
      expect: [{ messageId: 'badAuth', fixId: 'signInAgain' }],
    },
    {
      name: 'doublenat',
      observations: account({ mappingState: 'failed', mappingError: 'doublenat' }),
      expect: [{ messageId: 'doubleNat' }],
    },
    {
      name: 'myplexgone',
      observations: account({ mappingState: 'failed', mappingError: 'myplexgone' }),
      expect: [{ messageId: 'myPlexGone' }],
    },
    {
      name: 'jumboframes',
      observations: account({ mappingState: 'failed', mappingError: 'jumboframes' }),
      expect: [{ messageId: 'jumboFrames', fixId: 'mtu' }],
    },
    {
      name: 'failed without an error code',
      observations: account({ mappingState: 'failed', mappingError: '' }),
      expect: [{ messageId: 'failedNoError' }],
    },
    {
      name: 'an error code Plex adds later is kept and shown',
      observations: account({
        mappingState: 'failed',
        mappingError: 'quantumtunnel',
        mappingErrorMessage: 'new thing',
      }),
      expect: [{ messageId: 'other', data: { error: 'quantumtunnel' }, mentions: ['new thing'] }],
    },
    {
      name: 'still waiting',
      observations: account({ mappingState: 'waiting', mappingError: '' }),
      expect: [{ messageId: 'waiting', confidence: 'medium' }],
    },
  ],
  notChecked: [
    {
      name: "a front door by design: Plex's check fails on 32400, closed on purpose, while 443 reaches this server",
      observations: (o) => (
        account({ mappingState: 'failed', mappingError: 'unreachable' })(o),
        (o['probe.outside'] = outside({ ports: [plexPort('filtered'), frontDoorPort()] }))
      ),
      reason: /closed by design: .*front door on TCP 443/,
    },
    {
      name: 'no token, so no account',
      observations: (o) => void (o['server.account'] = skipped('no token')),
      reason: /needs server.account, which was skipped: no token/,
    },
  ],
});
