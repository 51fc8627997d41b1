import { RuleTester } from '../../../src/testing/rule-tester.js';
import rule from '../../../src/rules/builtin/declared-fact-contradicted.js';
import { accountValue, ok } from '../../../src/testing/observations.js';

const says = (failsFromOutside: boolean) => (o: Record<string, unknown>) => {
  o['declared.remoteAccess'] = ok({ via: 'flag', failsFromOutside });
};
const forward =
  (host: string, internalPort = 32400) =>
  (o: Record<string, unknown>) => {
    o['declared.forwards'] = ok({ via: 'flag', forwards: [{ externalPort: 32400, host, internalPort }] });
  };
const failing = (o: Record<string, unknown>) => {
  o['server.account'] = ok(accountValue({ mappingState: 'failed', mappingError: 'unreachable' }));
};

new RuleTester().run(rule.id, rule, {
  valid: [
    {
      name: 'you said it fails and Plex agrees',
      observations: (o) => (says(true)(o), failing(o)),
      outcome: 'passed',
      evidence: /remote access fails from outside/,
    },
    {
      name: 'your forward is the one the router lists',
      observations: forward('192.168.1.10'),
      evidence: /router \(UPnP\): TCP 32400 → 192\.168\.1\.10:32400/,
    },
  ],
  invalid: [
    {
      name: 'you said it fails, plex.tv connected',
      observations: says(true),
      expect: [{ messageId: 'saysFailsButMapped', confidence: 'medium' }],
    },
    {
      name: 'you said it works, Plex says unreachable',
      observations: (o) => (says(false)(o), failing(o)),
      expect: [{ messageId: 'saysWorksButFailed' }],
    },
    {
      name: 'your forward points at another host than the router lists',
      observations: forward('192.168.1.99'),
      expect: [{ messageId: 'forwardElsewhere', data: { said: '192.168.1.99:32400', seen: '192.168.1.10:32400' } }],
    },
  ],
  notChecked: [{ name: 'nothing stated', reason: /nothing was stated/, howToCheck: /--forward/ }],
});
