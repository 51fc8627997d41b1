/**
 * The remote-access prefs, typed and keyed by their real Plex ids (docs/reference/plex-api.md §4 table; ids as in
 * /:/prefs, not python-plexapi's lower-cased spelling). Each field is absent when the server does not have the pref; a
 * present but empty text pref is "" and an empty list pref is [].
 *
 * Values come from the setting's `value` (falling back to its `default`), coerced to the kind the pref is known to
 * have: a bool pref accepts `true`/`false`, "1"/"0", "true"/"false"; an int pref a number or a numeric string.
 * A value that cannot be coerced leaves the field absent rather than guessing.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../../core/util/lazy-schema.js';
import { PrefSetting } from './prefs.js';

type Kind = 'bool' | 'int' | 'text' | 'list';

/** The network/remote-access prefs we type, and the kind of each. */
export const NETWORK_PREF_KINDS = {
  /** Remote access enabled ("Publish server on Plex Online"); hidden. */
  PublishServerOnPlexOnlineKey: 'bool',
  /** "Manually specify public port"; hidden. */
  ManualPortMappingMode: 'bool',
  /** The external port when manual; hidden, default 32400. */
  ManualPortMappingPort: 'int',
  /** Last port UPnP / NAT-PMP mapped; 0 when none. */
  LastAutomaticMappedPort: 'int',
  /** "Custom server access URLs", published to plex.tv (pms-docker ADVERTISE_IP writes here). */
  customConnections: 'list',
  /** 0 Required, 1 Preferred, 2 Disabled (older servers; newer ones offer only 1 and 0). */
  secureConnections: 'int',
  /** "List of IP addresses and networks that are allowed without auth". */
  allowedNetworks: 'list',
  /** "LAN Networks" for bandwidth rules. */
  LanNetworksBandwidth: 'list',
  TreatWanIpAsLocal: 'bool',
  EnableIPv6: 'bool',
  /** The interface local clients use; "" = Any. */
  PreferredNetworkInterface: 'text',
  /** Local network discovery (GDM). */
  GdmEnabled: 'bool',
  RelayEnabled: 'bool',
  customCertificateDomain: 'text',
  customCertificatePath: 'text',
  /** "Strict TLS configuration". */
  DisableTLSv1_0: 'bool',
  WanTotalMaxUploadRate: 'int',
  WanPerStreamMaxUploadRate: 'int',
  WanPerUserStreamCount: 'int',
  allowedHttpOrigins: 'text',
  enableHttpPipelining: 'bool',
  ConfigurationUrl: 'text',
  CertificateUUID: 'text',
  CertificateVersion: 'int',
  PlexOnlineUrl: 'text',
} as const satisfies Record<string, Kind>;

export type NetworkPrefId = keyof typeof NETWORK_PREF_KINDS;

/** secureConnections as a word. */
export const SECURE_CONNECTIONS_LABELS = { 0: 'required', 1: 'preferred', 2: 'disabled' } as const;
export type SecureConnectionsLabel = (typeof SECURE_CONNECTIONS_LABELS)[keyof typeof SECURE_CONNECTIONS_LABELS];

// Functions, so importing this module builds no schema (lazySchema below).
const schemaOfKind = () =>
  ({ bool: z.boolean(), int: z.number(), text: z.string(), list: z.array(z.string()) }) as const;
type SchemaOf<K extends Kind> = ReturnType<typeof schemaOfKind>[K];

const networkShape = () => {
  const ofKind = schemaOfKind();
  return Object.fromEntries(Object.entries(NETWORK_PREF_KINDS).map(([id, kind]) => [id, ofKind[kind].optional()])) as {
    [Id in NetworkPrefId]: z.ZodOptional<SchemaOf<(typeof NETWORK_PREF_KINDS)[Id]>>;
  };
};

export const NetworkPrefs = lazySchema(() =>
  z.object({
    ...networkShape(),
    /** Derived from secureConnections (0/1/2); absent for other values. Not a Plex id. */
    secureConnectionsLabel: z.enum(['required', 'preferred', 'disabled']).optional(),
  }),
);
export type NetworkPrefs = z.infer<typeof NetworkPrefs>;

function coerce(raw: unknown, kind: Kind): boolean | number | string | string[] | undefined {
  switch (kind) {
    case 'bool':
      if (raw === true || raw === 1 || raw === '1' || raw === 'true' || raw === 'True') return true;
      if (raw === false || raw === 0 || raw === '0' || raw === 'false' || raw === 'False') return false;
      return undefined;
    case 'int':
      if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
      if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
      return undefined;
    case 'text':
      return typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : undefined;
    case 'list':
      if (typeof raw !== 'string') return undefined;
      return raw
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
  }
}

/** Pure: the typed network prefs of a settings list (see the module comment for the coercion rules). */
export function networkPrefsFrom(settings: readonly PrefSetting[]): NetworkPrefs {
  const byId = new Map(settings.map((setting) => [setting.id, setting]));
  const out: Record<string, unknown> = {};
  for (const [id, kind] of Object.entries(NETWORK_PREF_KINDS) as [NetworkPrefId, Kind][]) {
    const setting = byId.get(id);
    if (!setting) continue;
    const value = coerce(setting.value ?? setting.default, kind);
    if (value !== undefined) out[id] = value;
  }
  const secure = out.secureConnections;
  if (secure === 0 || secure === 1 || secure === 2) out.secureConnectionsLabel = SECURE_CONNECTIONS_LABELS[secure];
  return out;
}

/** The `/:/prefs` result: every setting as the server listed it, plus the typed network view. */
export const ServerPrefs = lazySchema(() =>
  z.object({
    settings: z.array(realSchema(PrefSetting)),
    network: realSchema(NetworkPrefs),
  }),
);
export type ServerPrefs = z.infer<typeof ServerPrefs>;
