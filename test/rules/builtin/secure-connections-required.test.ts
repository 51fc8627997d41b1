import rule from '../../../src/rules/builtin/secure-connections-required.js';
import type { Observation } from '../../../src/core/observation.js';
import { ConnectionsValue, type ProbedConnection } from '../../../src/collect/values/connections.js';
import type { FixAction } from '../../../src/rules/types.js';
import { ServerRoot } from '../../../src/clients/server/index.js';
import { HOME, failed, ok, prefsValue, probedConnection } from '../../../src/testing/observations.js';
import { RuleTester, all } from '../../../src/testing/index.js';

type O = Record<string, Observation>;
type Probed = Parameters<typeof probedConnection>[0];

const RELAX: FixAction[] = [{ type: 'set-pref', pref: 'secureConnections', value: 1 }];
const required = (o: O) => void (o['server.prefs'] = ok(prefsValue({ secureConnections: 0 })));

const root = (overrides: Record<string, unknown>) => (o: O) => {
  const base = {
    machineIdentifier: HOME.machineIdentifier,
    friendlyName: HOME.name,
    myPlex: true,
    myPlexSigninState: 'ok',
    myPlexMappingState: 'mapped',
    certificate: true,
  };
  o['server.root'] = ok(
    ServerRoot.parse(Object.fromEntries(Object.entries({ ...base, ...overrides }).filter(([, v]) => v !== undefined))),
  );
};

/** The LAN, WAN and relay connections, with changes to the LAN or WAN one. */
const connections =
  (lan: Partial<Probed> = {}, wan: Partial<Probed> = {}, tweak?: (c: ProbedConnection[]) => void) =>
  (o: O) => {
    const list = [
      probedConnection({ address: HOME.server, local: true, ...lan }),
      probedConnection({ address: HOME.wan, ...wan }),
      probedConnection({ address: HOME.relay, port: 8443, relay: true }),
    ];
    tweak?.(list);
    o['probe.connections'] = ok(ConnectionsValue.parse({ connections: list }));
  };
/** /identity answered, but the certificate was not trusted (the probe keeps the answer after a failed verdict). */
const rejectedCertificate = (reason: string) => (list: ProbedConnection[]) => {
  const identity = list[0]!.identity!;
  if (identity.status === 'ok')
    identity.value.tls = { authorized: false, authorizationError: reason, protocol: 'TLSv1.3' };
};
const lanNameRefused = (o: O) => {
  const collection = o['probe.plexDirectDns'] as {
    value: {
      names: {
        result: { value: { verdict: string; answers: { outcome: string; addresses: string[]; code?: string }[] } };
      }[];
    };
  };
  const lan = collection.value.names[0]!.result.value;
  lan.verdict = 'rebinding-blocked';
  lan.answers = lan.answers.map((a) => ({ ...a, addresses: [], outcome: 'rebinding-blocked', code: 'ENOTFOUND' }));
};
const LAN_URI = `https://192-168-1-10.${HOME.certificateHash}.plex.direct:32400`;
const TLS_NAME = { code: 'ERR_TLS_CERT_ALTNAME_INVALID', phase: 'tls' };

new RuleTester().run(rule.id, rule, {
  valid: [
    { name: 'healthy: Preferred' },
    { name: 'Required, and HTTPS works everywhere', observations: required },
    { name: 'Preferred while TLS fails: nothing to relax', observations: connections({ identity: TLS_NAME }) },
    {
      name: 'Required; the WAN connection is filtered from here (not a TLS matter)',
      observations: all(
        required,
        connections(
          {},
          { tcp: { code: 'ETIMEDOUT', phase: 'timeout' }, identity: { code: 'ETIMEDOUT', phase: 'timeout' } },
        ),
      ),
    },
    {
      name: "Required; a custom URL behind a proxy fails TLS (custom-url-problem's business)",
      observations: all(
        required,
        (o) =>
          void (o['probe.connections'] = ok(
            ConnectionsValue.parse({
              connections: [
                probedConnection({
                  address: 'plex.example.com',
                  uri: 'https://plex.example.com:443',
                  identity: TLS_NAME,
                }),
              ],
            }),
          )),
      ),
    },
    {
      name: 'Required; signed in, the root simply omits certificate',
      observations: all(required, root({ certificate: undefined })),
    },
    {
      name: 'Required; the root could not be read',
      observations: all(
        required,
        (o) => void (o['server.root'] = failed('PLEXDIAG_TIMEOUT', 'timed out', { phase: 'timeout' })),
      ),
    },
  ],
  invalid: [
    {
      name: 'Required, and the custom URL the owner added is plain http: decided from the prefs alone',
      observations: (o) => {
        o['server.prefs'] = ok(
          prefsValue({ secureConnections: 0, customConnections: 'http://plex.example.com:32400' }),
        );
        delete o['probe.connections'];
        delete o['probe.plexDirectDns'];
        delete o['server.root'];
      },
      expect: [
        {
          messageId: 'httpCustomUrl',
          confidence: 'medium',
          data: { url: 'http://plex.example.com:32400' },
          fixId: 'httpsOrRelax',
          mentions: ['https://'],
        },
      ],
    },
    {
      name: 'Required and the root says certificate=0',
      observations: all(required, root({ certificate: false })),
      expect: [
        {
          messageId: 'noCertificate',
          confidence: 'high',
          fixId: 'relaxAndSignIn',
          actions: RELAX,
          mentions: ['Secure connections: Preferred', 'PLEX_CLAIM'],
        },
      ],
    },
    {
      name: 'Required on a signed-out server (no certificate attribute, myPlexSigninState=none)',
      observations: all(required, root({ certificate: undefined, myPlex: false, myPlexSigninState: 'none' })),
      expect: [
        {
          messageId: 'notSignedIn',
          confidence: 'medium',
          data: { state: 'myPlex=0, myPlexSigninState=none' },
          actions: RELAX,
        },
      ],
    },
    {
      name: 'Required, and the LAN plex.direct connection fails the TLS handshake',
      observations: all(required, connections({ identity: TLS_NAME })),
      expect: [
        {
          messageId: 'httpsFails',
          confidence: 'high',
          data: { uri: LAN_URI, detail: 'TLS failed: ERR_TLS_CERT_ALTNAME_INVALID' },
          fixId: 'relaxAndFixTls',
          actions: RELAX,
          mentions: ['does not name this host'],
        },
      ],
    },
    {
      name: 'Required, and the certificate has expired (the probe kept the answer)',
      observations: all(required, connections({}, {}, rejectedCertificate('CERT_HAS_EXPIRED'))),
      expect: [
        {
          messageId: 'httpsFails',
          data: { detail: 'certificate rejected: CERT_HAS_EXPIRED' },
          mentions: ['renews its certificate'],
        },
      ],
    },
    {
      name: 'Required while the resolver refuses the LAN plex.direct name',
      observations: all(required, lanNameRefused),
      expect: [
        {
          messageId: 'rebindingBlocksSecure',
          confidence: 'high',
          data: { hostname: `192-168-1-10.${HOME.certificateHash}.plex.direct` },
          fixId: 'relaxAndAllowPlexDirect',
          actions: RELAX,
        },
      ],
    },
    {
      name: 'no certificate explains the TLS failures: only the certificate finding',
      observations: all(
        required,
        root({ certificate: false }),
        connections({ identity: TLS_NAME }, { identity: TLS_NAME }),
      ),
      expect: [{ messageId: 'noCertificate' }],
    },
    {
      name: 'a self-signed answer on the WAN port and a refused LAN name: both causes',
      observations: all(
        required,
        connections({}, { identity: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', phase: 'tls' } }),
        lanNameRefused,
      ),
      expect: [
        { messageId: 'httpsFails', mentions: ['something other than Plex'] },
        { messageId: 'rebindingBlocksSecure' },
      ],
    },
  ],
  notChecked: [
    {
      name: 'prefs not readable',
      observations: (o) => void (o['server.prefs'] = failed('PLEXDIAG_AUTH', 'token missing or invalid')),
      reason: /needs server.prefs, which failed/,
    },
  ],
});
