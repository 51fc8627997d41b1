import { describe, expect, it } from 'vitest';
import { NetworkPrefs, networkPrefsFrom } from '../../../src/clients/server/schemas/network-prefs.js';
import { PrefSetting } from '../../../src/clients/server/schemas/prefs.js';

const settings = (...raw: Record<string, unknown>[]) => raw.map((item) => PrefSetting.parse(item));

describe('networkPrefsFrom', () => {
  it('is empty for a server that has none of the prefs', () => {
    expect(networkPrefsFrom(settings({ id: 'FriendlyName', type: 'text', value: 'x' }))).toEqual({});
  });

  it.each([
    ['1', true],
    ['0', false],
    ['true', true],
    ['false', false],
    [true, true],
    [false, false],
  ])('reads the bool value %j as %j', (value, expected) => {
    const network = networkPrefsFrom(settings({ id: 'RelayEnabled', type: 'bool', value }));
    expect(network.RelayEnabled).toBe(expected);
  });

  it('coerces by the kind the pref is known to have even when the type attribute is missing', () => {
    const network = networkPrefsFrom(
      settings({ id: 'ManualPortMappingPort', value: '443' }, { id: 'ManualPortMappingMode', value: '1' }),
    );
    expect(network).toEqual({ ManualPortMappingPort: 443, ManualPortMappingMode: true });
  });

  it('leaves a value that cannot be coerced absent instead of guessing', () => {
    const network = networkPrefsFrom(
      settings(
        { id: 'ManualPortMappingPort', type: 'int', value: 'lots' },
        { id: 'GdmEnabled', type: 'bool', value: 'maybe' },
      ),
    );
    expect(network).toEqual({});
  });

  it('falls back to the default when there is no value', () => {
    expect(networkPrefsFrom(settings({ id: 'TreatWanIpAsLocal', type: 'bool', default: '1' })).TreatWanIpAsLocal).toBe(
      true,
    );
  });

  it('splits comma lists, trimming, and keeps an empty list pref as []', () => {
    const network = networkPrefsFrom(
      settings(
        { id: 'customConnections', type: 'text', value: 'https://a.example:443, http://10.0.0.2:32400 ,' },
        { id: 'allowedNetworks', type: 'text', value: '192.168.88.0/24' },
        { id: 'LanNetworksBandwidth', type: 'text', value: '' },
      ),
    );
    expect(network).toEqual({
      customConnections: ['https://a.example:443', 'http://10.0.0.2:32400'],
      allowedNetworks: ['192.168.88.0/24'],
      LanNetworksBandwidth: [],
    });
  });

  it.each([
    [0, 'required'],
    [1, 'preferred'],
    [2, 'disabled'],
    [7, undefined],
  ])('secureConnections %j is labelled %j', (value, label) => {
    const network = networkPrefsFrom(settings({ id: 'secureConnections', type: 'int', value: String(value) }));
    expect(network.secureConnections).toBe(value);
    expect(network.secureConnectionsLabel).toBe(label);
  });

  it('produces what its own schema accepts', () => {
    const network = networkPrefsFrom(
      settings(
        { id: 'PublishServerOnPlexOnlineKey', type: 'bool', value: '1' },
        { id: 'secureConnections', type: 'int', value: '0' },
      ),
    );
    expect(NetworkPrefs.parse(network)).toEqual(network);
  });
});
