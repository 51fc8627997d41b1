// Testing the example rule the way docs/writing-rules.md shows: a table of cases, observations in, findings out, no
// server needed. RuleTester runs each case through the real engine, so a rule that reads an observation it does not
// declare in `requires`/`uses`, or a bad option, fails the case.
import { describe, it } from 'vitest';
import { RuleTester, failed, ok } from 'plex-diagnose/testing';
import { minimumServerVersion, type ServerVersion } from './minimum-version.js';

// RuleTester uses the global describe/it when your framework has them (vitest's `globals: true`, mocha, jest);
// otherwise hand them over once.
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const version = (raw: string): ServerVersion => {
  const [major, minor, patch] = raw.split(/[.-]/).map(Number);
  return { raw, parts: [major!, minor!, patch!] };
};
const running = (raw: string) => ({ 'example.serverVersion': ok(version(raw)) });

// Every case starts from these observations unless it gives its own.
const ruleTester = new RuleTester({ observations: () => running('1.41.3.9314-a0bfb8370') });

ruleTester.run('example/minimum-server-version', minimumServerVersion, {
  valid: [
    { name: 'at the minimum', observations: running('1.42.0.9975-abcdef012') },
    { name: 'above it', observations: running('2.0.0.1-abc') },
    { name: 'a lower minimum from the options', setting: { severity: 'error', options: { minimum: '1.40.0' } } },
  ],
  invalid: [
    {
      name: 'older than the minimum, with the exact version to update to',
      expect: [
        {
          messageId: 'tooOld',
          severity: 'warning',
          confidence: 'high',
          data: { minimum: '1.42.0' },
          fixId: 'update',
          mentions: ['Update Plex Media Server to 1.42.0 or later'],
        },
      ],
    },
    {
      name: 'older than a stricter minimum from the options, at the severity from the config',
      setting: { severity: 'error', options: { minimum: '1.41.4' } },
      expect: [{ messageId: 'tooOld', severity: 'error', data: { minimum: '1.41.4' } }],
    },
  ],
  skipped: [
    {
      name: 'the version could not be collected',
      observations: { 'example.serverVersion': failed('PLEXDIAG_NETWORK', 'connect ECONNREFUSED') },
      reason: /example\.serverVersion/,
    },
  ],
});
