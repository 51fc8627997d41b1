import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../src/http/decode.js';
import { AccountResponse } from '../../../src/clients/server/schemas/account.js';
import { IdentityResponse } from '../../../src/clients/server/schemas/identity.js';
import { networkPrefsFrom } from '../../../src/clients/server/schemas/network-prefs.js';
import {
  PrefSetting,
  PrefsResponse,
  REDACTED_PREF_VALUE,
  parseEnumValues,
} from '../../../src/clients/server/schemas/prefs.js';
import { RootResponse } from '../../../src/clients/server/schemas/root.js';
import { renderDocument, type XmlElement } from '../../../src/testing/xml-writer.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/server/${name}`, import.meta.url));
const decode = (name: string): unknown => decodeBody(fixture(name));

describe('real captures parse', () => {
  it('identity XML (plexopedia)', () => {
    const identity = IdentityResponse.parse(decode('identity-xml__plexopedia.xml')).MediaContainer;
    expect(identity).toEqual({
      machineIdentifier: '6a646027a56abb6dbdf72484564db8567c737430',
      version: '1.29.1.6316-f4cdfea9c',
      claimed: true,
      size: 0,
    });
  });

  it('root XML (plexopedia server capabilities)', () => {
    const root = RootResponse.parse(decode('root-xml__plexopedia-server-capabilities.xml')).MediaContainer;
    expect(root).toMatchObject({
      machineIdentifier: '3a646027a56abd6dbdf72484464db8567c737430',
      friendlyName: 'PlexServer',
      platform: 'Windows',
      platformVersion: '10.0 (Build 19042)',
      myPlex: true,
      myPlexMappingState: 'mapped',
      myPlexSigninState: 'ok',
      myPlexSubscription: true,
      myPlexUsername: 'PlexUsername',
      updatedAt: 1640814847,
      version: '1.25.2.5319-c43dc0277',
    });
    // Unmodelled attributes are kept, as XML strings; children too.
    expect(root.allowSync).toBe('1');
    expect(root.ownerFeatures).toBe('');
    expect((root.Directory as unknown[]).length).toBe(25);
  });

  it.each([
    [
      'root-json-free__plex-api-rs-providers_free.json',
      {
        myPlexMappingState: 'mapped',
        myPlexSigninState: 'ok',
        myPlexSubscription: false,
        certificate: true,
        startState: 'startingPlugins',
        updatedAt: -1,
      },
    ],
    [
      'root-json-plexpass__plex-api-rs-providers_plexpass.json',
      { myPlexMappingState: 'mapped', myPlexSigninState: 'ok', myPlexSubscription: true, updatedAt: 1628211599 },
    ],
    [
      'root-json-unclaimed__plex-api-rs-providers_unclaimed.json',
      {
        myPlexMappingState: 'unknown',
        myPlexSigninState: 'none',
        myPlexSubscription: false,
        startState: 'startingPlugins',
      },
    ],
  ])('root JSON %s', (name, expected) => {
    const root = RootResponse.parse(decode(name)).MediaContainer;
    expect(root).toMatchObject({ platform: 'Linux', version: '1.25.3.5409-f11334058', ...expected });
    // JSON booleans and numbers of unmodelled fields are kept in their XML form.
    expect(root.allowSync === '1' || root.allowSync === '0').toBe(true);
    expect(root.livetv).toBe('7');
    expect(Array.isArray(root.MediaProvider)).toBe(true);
  });

  it('the unclaimed capture: no username; an unmodelled "" is kept as ""', () => {
    const root = RootResponse.parse(decode('root-json-unclaimed__plex-api-rs-providers_unclaimed.json')).MediaContainer;
    expect(root.myPlexUsername).toBeUndefined();
    expect(root.countryCode).toBe('');
  });

  it('prefs JSON (155 settings, plex-api.rs) with typed values and network prefs', () => {
    const settings = PrefsResponse.parse(decode('prefs-json__plex-api-rs-server-prefs.json')).MediaContainer.Setting;
    expect(settings).toHaveLength(155);
    const network = networkPrefsFrom(settings);
    expect(network).toMatchObject({
      PublishServerOnPlexOnlineKey: true,
      ManualPortMappingMode: true,
      ManualPortMappingPort: 443,
      LastAutomaticMappedPort: 0,
      customConnections: ['https://example.com'],
      secureConnections: 1,
      secureConnectionsLabel: 'preferred',
      allowedNetworks: [],
      EnableIPv6: true,
      customCertificateDomain: 'example.com',
      PreferredNetworkInterface: '',
      WanTotalMaxUploadRate: 1000000,
      RelayEnabled: true,
      TreatWanIpAsLocal: true,
      GdmEnabled: true,
      DisableTLSv1_0: false,
    });
    expect(network.enableHttpPipelining).toBeUndefined(); // not in this dump
    expect(settings.find((s) => s.id === 'TranscoderH264MinimumCRF')).toMatchObject({ type: 'double', value: 16 });
  });

  it('the customConnections <Setting> of the tunnel guide', () => {
    const xml = `<MediaContainer size="1">${fixture('prefs-xml-customConnections-setting__tunnel-guide.xml').toString()}</MediaContainer>`;
    const settings = PrefsResponse.parse(decodeBody(Buffer.from(xml))).MediaContainer.Setting;
    expect(settings[0]).toMatchObject({
      id: 'customConnections',
      type: 'text',
      value: 'https://plex.yourdomain.com:443',
      default: '',
      hidden: false,
      advanced: true,
      group: 'network',
    });
    expect(networkPrefsFrom(settings).customConnections).toEqual(['https://plex.yourdomain.com:443']);
  });

  it('the /myplex/account example values of the plex-api spec, without the authToken', () => {
    const example = specExample(fixture('myplex-account__plex-api-spec-schema-examples.yaml').toString());
    expect(example.authToken).toBeTypeOf('string');
    const account = AccountResponse.parse({ MyPlex: example });
    expect(account).toMatchObject({
      username: 'example.email@mail.com',
      mappingState: 'mapped',
      signInState: 'ok',
      publicAddress: '140.20.68.140',
      publicPort: 32400,
      privateAddress: '10.10.10.47',
      privatePort: 32400,
      subscriptionState: 'Active',
    });
    expect(account.subscriptionFeatures).toContain('webhooks');
    expect('authToken' in account).toBe(false);
    expect(JSON.stringify(account)).not.toContain(String(example.authToken));
  });
});

/** Builds an object from the `example:` values of an OpenAPI properties block (enough for this one fixture). */
function specExample(yaml: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let current: string | undefined;
  for (const line of yaml.split('\n')) {
    const property = /^ {18}(\w+):\s*$/.exec(line);
    if (property) current = property[1];
    const example = /^ {20}example: (.*)$/.exec(line);
    if (current && example) {
      const raw = example[1]!.replace(/^"|"$/g, '');
      out[current] = /^\d+$/.test(raw) ? Number(raw) : raw;
    }
  }
  return out;
}

/** The same settings as XML, the way PMS writes them (booleans "1"/"0", or "true"/"false" when asked). */
function settingsAsXml(settings: Record<string, unknown>[], boolForm: '1/0' | 'true/false'): Buffer {
  const children: XmlElement[] = settings.map((setting) => ({
    name: 'Setting',
    attributes: Object.fromEntries(
      Object.entries(setting).map(([key, value]) => [
        key,
        typeof value === 'boolean' && boolForm === 'true/false' && (key === 'value' || key === 'default')
          ? String(value)
          : (value as string | number | boolean),
      ]),
    ),
  }));
  return Buffer.from(renderDocument({ name: 'MediaContainer', attributes: { size: settings.length }, children }));
}

describe('XML and JSON of the same prefs parse to deep-equal objects', () => {
  const json = JSON.parse(fixture('prefs-json__plex-api-rs-server-prefs.json').toString()) as {
    MediaContainer: { Setting: Record<string, unknown>[] };
  };
  const fromJson = PrefsResponse.parse(json).MediaContainer.Setting;

  it.each(['1/0', 'true/false'] as const)('booleans written as %s', (form) => {
    const fromXml = PrefsResponse.parse(decodeBody(settingsAsXml(json.MediaContainer.Setting, form))).MediaContainer
      .Setting;
    expect(fromXml).toEqual(fromJson);
    expect(networkPrefsFrom(fromXml)).toEqual(networkPrefsFrom(fromJson));
  });
});

describe('PrefSetting', () => {
  it('types value and default by the type attribute', () => {
    expect(PrefSetting.parse({ id: 'a', type: 'bool', value: 'true', default: '0' })).toMatchObject({
      value: true,
      default: false,
    });
    expect(PrefSetting.parse({ id: 'b', type: 'int', value: '32400', default: 0 })).toMatchObject({
      value: 32400,
      default: 0,
    });
    expect(PrefSetting.parse({ id: 'c', type: 'text', value: '', default: 5 })).toMatchObject({
      value: '',
      default: '5',
    });
  });

  it('keeps values that do not fit the type, and values of unknown types, raw', () => {
    expect(PrefSetting.parse({ id: 'a', type: 'bool', value: 'maybe' }).value).toBe('maybe');
    expect(PrefSetting.parse({ id: 'b', type: 'int', value: 'lots' }).value).toBe('lots');
    expect(PrefSetting.parse({ id: 'c', type: 'colour', value: 'red' })).toMatchObject({
      type: 'colour',
      value: 'red',
    });
  });

  it('redacts secret settings but says whether they are set', () => {
    expect(PrefSetting.parse({ id: 'PlexOnlineToken', type: 'text', value: 'abcdefgh123' }).value).toBe(
      REDACTED_PREF_VALUE,
    );
    expect(PrefSetting.parse({ id: 'customCertificateKey', type: 'text', value: 'hunter22' }).value).toBe(
      REDACTED_PREF_VALUE,
    );
    expect(PrefSetting.parse({ id: 'customCertificateKey', type: 'text', value: '' }).value).toBe('');
  });

  it('rejects a setting without an id', () => {
    expect(PrefSetting.safeParse({ type: 'bool', value: '1' }).success).toBe(false);
  });

  it('drops token-named attributes, keeps other unknown ones as strings', () => {
    const setting = PrefSetting.parse({ id: 'x', type: 'bool', value: true, secure: true, accessToken: 'zzzzzzzz' });
    expect(setting).not.toHaveProperty('accessToken');
    expect(setting.secure).toBe('1');
  });

  it('re-parsing a parsed setting gives the same object (snapshots validate on load)', () => {
    const once = PrefSetting.parse({ id: 'a', type: 'int', value: '7', hidden: '1', extra: 3 });
    expect(PrefSetting.parse(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });
});

describe('parseEnumValues', () => {
  it('splits on | and on the first colon', () => {
    expect(parseEnumValues('0:Required|1:Preferred|2:Disabled')).toEqual([
      { value: '0', label: 'Required' },
      { value: '1', label: 'Preferred' },
      { value: '2', label: 'Disabled' },
    ]);
    expect(parseEnumValues(':Any|eth0:eth0 (172.18.0.19)')).toEqual([
      { value: '', label: 'Any' },
      { value: 'eth0', label: 'eth0 (172.18.0.19)' },
    ]);
    expect(parseEnumValues(undefined)).toEqual([]);
  });
});

describe('MyPlexAccount envelopes', () => {
  const attributes = {
    mappingState: 'failed',
    mappingError: 'doublenat',
    publicPort: '0',
    subscriptionFeatures: 'a,b',
    authToken: 'tok-123456',
  };
  const expected = {
    mappingState: 'failed',
    mappingError: 'doublenat',
    publicPort: 0,
    subscriptionFeatures: ['a', 'b'],
  };

  it.each([
    ['{MyPlex:{…}}', { MyPlex: attributes }],
    ['{MediaContainer:{…}}', { MediaContainer: attributes }],
    ['{MediaContainer:{MyPlex:[{…}]}}', { MediaContainer: { size: 1, MyPlex: [attributes] } }],
    ['a flat object', attributes],
  ])('%s', (_name, body) => {
    const account = AccountResponse.parse(body);
    expect(account).toMatchObject(expected);
    expect(account).not.toHaveProperty('authToken');
  });

  it('keeps unknown mapping errors and states as strings, "" mappingError as absent', () => {
    expect(AccountResponse.parse({ MyPlex: { mappingState: 'reticulating', mappingError: 'newkind' } })).toMatchObject({
      mappingState: 'reticulating',
      mappingError: 'newkind',
    });
    expect(
      AccountResponse.parse({ MyPlex: { mappingState: 'mapped', mappingError: '' } }).mappingError,
    ).toBeUndefined();
  });

  it('drops token-named keys at any depth', () => {
    const account = AccountResponse.parse({
      MyPlex: { token: 'a1', PlexOnlineToken: 'b2', nested: { accessToken: 'c3', keep: 1 } },
    });
    expect(JSON.parse(JSON.stringify(account))).toStrictEqual({ nested: { keep: '1' }, subscriptionFeatures: [] });
  });
});
