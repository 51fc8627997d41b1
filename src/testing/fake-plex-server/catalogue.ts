/**
 * The fake server's settings catalogue: real ids, labels, summaries, types, defaults and enumValues, copied from a
 * real /:/prefs dump (plex-api.rs mock prefs.json, payloads/prefs-json__plex-api-rs-server-prefs.json), covering
 * every network / remote-access pref of docs/reference/plex-api.md §4 plus a few ordinary ones.
 *
 * Values live in the fake's state as strings in canonical XML form: bool "1"/"0", int/double in decimal, text as is.
 */
import { UsageError } from '../../core/errors.js';

export type FakePrefType = 'bool' | 'int' | 'double' | 'text';

export interface FakeSettingDefinition {
  id: string;
  label: string;
  summary: string;
  type: FakePrefType;
  default: string | number | boolean;
  hidden: boolean;
  advanced: boolean;
  group: string;
  enumValues?: string;
}

const PLEX_ONLINE =
  'Publishing a server makes it automatically available on your client devices without any configuration of your router.';

export const FAKE_SETTINGS: readonly FakeSettingDefinition[] = [
  {
    id: 'FriendlyName',
    label: 'Friendly name',
    summary:
      "This name will be used to identify this media server to other computers on your network. If you leave it blank, your computer's name will be used instead.",
    type: 'text',
    default: '',
    hidden: false,
    advanced: false,
    group: 'general',
  },
  {
    id: 'sendCrashReports',
    label: 'Send crash reports to Plex',
    summary: 'This helps us improve your experience.',
    type: 'bool',
    default: true,
    hidden: false,
    advanced: false,
    group: 'general',
  },
  {
    id: 'MachineIdentifier',
    label: 'A unique identifier for the machine',
    summary: '',
    type: 'text',
    default: '',
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'ConfigurationUrl',
    label: 'Web Manager URL',
    summary: '',
    type: 'text',
    default: 'http://127.0.0.1:32400/web',
    hidden: true,
    advanced: false,
    group: 'network',
  },
  {
    id: 'EnableIPv6',
    label: 'Enable server support for IPv6',
    summary: '',
    type: 'bool',
    default: true,
    hidden: false,
    advanced: true,
    group: 'network',
  },
  // enumValues of the older dump (docs/reference/plex-api.md §4), which still offers 2:Disabled; newer servers list
  // "1:Preferred|0:Required".
  {
    id: 'secureConnections',
    label: 'Secure connections',
    summary:
      'When set to "Required", some unencrypted connections (originating from the Media Server computer) will still be allowed and apps that don\'t support secure connections will not be able to connect at all.',
    type: 'int',
    default: 1,
    hidden: false,
    advanced: true,
    group: 'network',
    enumValues: '0:Required|1:Preferred|2:Disabled',
  },
  {
    id: 'customCertificatePath',
    label: 'Custom certificate location',
    summary:
      'Path to a PKCS #12 file containing a certificate and private key to enable TLS support on a custom domain.',
    type: 'text',
    default: '',
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'customCertificateKey',
    label: 'Custom certificate encryption key',
    summary: '',
    type: 'text',
    default: '',
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'customCertificateDomain',
    label: 'Custom certificate domain',
    summary:
      'Domain name to be published to plex.tv using your mapped port; must match a name from the custom certificate file.',
    type: 'text',
    default: '',
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'PreferredNetworkInterface',
    label: 'Preferred network interface',
    summary: 'The network interface local clients will use to connect.',
    type: 'text',
    default: '',
    hidden: false,
    advanced: true,
    group: 'network',
    enumValues: ':Any|eth0:eth0 (192.168.1.20)',
  },
  {
    id: 'DisableTLSv1_0',
    label: 'Strict TLS configuration',
    summary:
      'Disables legacy weak ciphers, increases DH group size, and switches to ECDSA certificates when renewing. May prevent older clients from connecting.',
    type: 'bool',
    default: false,
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'allowedHttpOrigins',
    label: '',
    summary: '',
    type: 'text',
    default: '',
    hidden: true,
    advanced: false,
    group: 'network',
  },
  {
    id: 'GdmEnabled',
    label: 'Enable local network discovery (GDM)',
    summary: 'This enables the media server to discover other servers and players on the local network.',
    type: 'bool',
    default: true,
    hidden: false,
    advanced: false,
    group: 'network',
  },
  {
    id: 'PublishServerOnPlexOnlineKey',
    label: 'Publish server on Plex Online',
    summary: PLEX_ONLINE,
    type: 'bool',
    default: false,
    hidden: true,
    advanced: false,
    group: '',
  },
  { id: 'PlexOnlineMail', label: '', summary: '', type: 'text', default: '', hidden: true, advanced: false, group: '' },
  {
    id: 'PlexOnlineUrl',
    label: '',
    summary: '',
    type: 'text',
    default: 'https://plex.tv',
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'ManualPortMappingMode',
    label: '',
    summary: '',
    type: 'bool',
    default: false,
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'ManualPortMappingPort',
    label: '',
    summary: '',
    type: 'int',
    default: 32400,
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'LastAutomaticMappedPort',
    label: '',
    summary: '',
    type: 'int',
    default: 0,
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'WanPerStreamMaxUploadRate',
    label: 'Limit remote stream bitrate',
    summary: 'Set the maximum bitrate of a remote stream from this server.',
    type: 'int',
    default: 0,
    hidden: true,
    advanced: false,
    group: '',
    enumValues:
      '0:Original (No limit)|40000:40 Mbps (4k)|30000:30 Mbps (4k)|25000:25 Mbps (4k)|20000:20 Mbps (1080p)|15000:15 Mbps (1080p)|12000:12 Mbps (1080p)|10000:10 Mbps (1080p)|8000:8 Mbps (1080p)|4000:4 Mbps (720p)|3000:3 Mbps (720p)|2000:2 Mbps (480p)|1500:1.5 Mbps (480p)|720:720 kbps|320:320 kbps',
  },
  {
    id: 'WanTotalMaxUploadRate',
    label: 'External network total upload limit (kbps)',
    summary:
      'Speed at which to limit the total bandwidth not on the local network in kilobits per second. Use 0 to set no limit.',
    type: 'int',
    default: 0,
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'WanPerUserStreamCount',
    label: 'Remote streams allowed per user',
    summary: 'Maximum number of simultaneous streams each user is allowed when not on the local network.',
    type: 'int',
    default: 0,
    hidden: false,
    advanced: true,
    group: 'network',
    enumValues: '0:Unlimited|1:1|2:2|3:3|4:4|5:5|6:6|7:7|8:8|9:9|10:10',
  },
  {
    id: 'LanNetworksBandwidth',
    label: 'LAN Networks',
    summary:
      "Comma separated list of IP addresses or IP/netmask entries for networks that will be considered to be on the local network when enforcing bandwidth restrictions. If set, all other IP addresses will be considered to be on the external network and will be subject to external network bandwidth restrictions. If left blank, only the server's subnet is considered to be on the local network.",
    type: 'text',
    default: '',
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'TreatWanIpAsLocal',
    label: 'Treat WAN IP As LAN Bandwidth',
    summary:
      "Treat incoming requests from this network's WAN IP address as LAN requests in terms of bandwidth.  This often occurs when DNS rebinding protection is in place and clients on the LAN cannot contact the server directly but instead have to go through the WAN IP address.",
    type: 'bool',
    default: true,
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'RelayEnabled',
    label: 'Enable Relay',
    summary:
      'The Relay allows connections to the server through a proxy relay when the server is not accessible otherwise.  Note: this proxy relay is bandwidth limited',
    type: 'bool',
    default: true,
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'LogTokensForDebug',
    label: 'Allow Plex Media Server tokens in logs',
    summary:
      "Media server tokens can be used to gain access to library content. Don't share logs containing tokens publicly. A server restart is required for a change to take effect.",
    type: 'bool',
    default: false,
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'customConnections',
    label: 'Custom server access URLs',
    summary:
      'A comma-separated list of URLs (http or https) which are published up to plex.tv for server discovery. IPv6 addresses must specify a port.',
    type: 'text',
    default: '',
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'allowedNetworks',
    label: 'List of IP addresses and networks that are allowed without auth',
    summary:
      'Comma separated list of IP addresses or IP/netmask entries for networks that are allowed to access Plex Media Server without logging in. When the server is signed out and this value is set, only localhost and addresses on this list will be allowed.',
    type: 'text',
    default: '',
    hidden: false,
    advanced: true,
    group: 'network',
  },
  {
    id: 'CertificateVersion',
    label: '',
    summary: '',
    type: 'int',
    default: 2,
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'CertificateUUID',
    label: '',
    summary: '',
    type: 'text',
    default: '',
    hidden: true,
    advanced: false,
    group: '',
  },
  {
    id: 'DlnaEnabled',
    label: 'Enable the DLNA server',
    summary: 'This allows the server to stream media to DLNA (Digital Living Network Alliance) devices.',
    type: 'bool',
    default: false,
    hidden: false,
    advanced: false,
    group: 'dlna',
  },
];

const BY_ID = new Map(FAKE_SETTINGS.map((setting) => [setting.id, setting]));

export function fakeSettingDefinition(id: string): FakeSettingDefinition | undefined {
  return BY_ID.get(id);
}

/**
 * The canonical stored form of a value for a pref type, or `undefined` when the value is not valid for the type
 * (PMS answers 400 then). Bools accept 1/0/true/false (any case) and booleans.
 */
export function canonicalPrefValue(type: FakePrefType, value: string | number | boolean): string | undefined {
  const text = String(value).trim();
  switch (type) {
    case 'bool':
      if (value === true || /^(1|true)$/i.test(text)) return '1';
      if (value === false || /^(0|false)$/i.test(text)) return '0';
      return undefined;
    case 'int':
      return /^-?\d+$/.test(text) ? String(Number(text)) : undefined;
    case 'double':
      return text !== '' && Number.isFinite(Number(text)) ? String(Number(text)) : undefined;
    case 'text':
      return String(value);
  }
}

/** The typed form of a stored value, for JSON output and XML rendering (booleans render as "1"/"0"). */
export function typedPrefValue(type: FakePrefType, stored: string): string | number | boolean {
  if (type === 'bool') return stored === '1';
  if (type === 'int' || type === 'double') return Number(stored);
  return stored;
}

/** A realistic working server: remote access on, port 32400 forwarded by hand (the account says mapped on 32400). */
const INITIAL_VALUES: Record<string, string | number | boolean> = {
  PublishServerOnPlexOnlineKey: true,
  ManualPortMappingMode: true,
  ManualPortMappingPort: 32400,
  CertificateVersion: 3,
};

/** Initial stored prefs: catalogue defaults, then the realistic values above, then the caller's overrides. */
export function initialPrefs(
  overrides: Record<string, string | number | boolean>,
  fixed: Record<string, string>,
): Record<string, string> {
  const prefs: Record<string, string> = {};
  for (const setting of FAKE_SETTINGS) prefs[setting.id] = canonicalPrefValue(setting.type, setting.default) ?? '';
  Object.assign(prefs, fixed);
  for (const [id, value] of Object.entries({ ...INITIAL_VALUES, ...overrides })) {
    const definition = BY_ID.get(id);
    if (!definition) throw new UsageError(`fake Plex server: unknown pref "${id}" (see FAKE_SETTINGS)`);
    const stored = canonicalPrefValue(definition.type, value);
    if (stored === undefined)
      throw new UsageError(`fake Plex server: ${JSON.stringify(value)} is not a valid ${definition.type} for ${id}`);
    prefs[id] = stored;
  }
  return prefs;
}
