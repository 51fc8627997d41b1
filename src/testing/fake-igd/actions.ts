/**
 * The fake IGD's WANIPConnection behaviour: a live port-mapping table that Add/Delete change, and the refusals a real
 * miniupnpd gives (713 past the end of the table, 714 no such entry, 718 conflict or secure_mode, 725 permanent only).
 */

export interface FakeMapping {
  remoteHost: string;
  externalPort: number;
  protocol: 'TCP' | 'UDP';
  internalPort: number;
  internalClient: string;
  enabled: boolean;
  description: string;
  leaseSeconds: number;
}

export interface FakeIgdState {
  externalIp: string;
  mappings: FakeMapping[];
  connectionStatus: string;
  lastConnectionError: string;
  uptimeSeconds: number;
  /** miniupnpd secure_mode: a mapping may only point at the address that asks for it (else 718). */
  secureMode: boolean;
  /** IGD:1 devices that accept only permanent leases (725 for any other). */
  permanentLeasesOnly: boolean;
  /** Forced refusals: action name → UPnP error code. */
  failActions: Partial<Record<string, number>>;
}

export type ActionOutcome = { values: Record<string, string | number | boolean> } | { fault: number };

const ERROR_TEXT: Record<number, string> = {
  401: 'Invalid Action',
  402: 'Invalid Args',
  501: 'Action Failed',
  606: 'Action not authorized',
  713: 'SpecifiedArrayIndexInvalid',
  714: 'NoSuchEntryInArray',
  718: 'ConflictInMappingEntry',
  725: 'OnlyPermanentLeasesSupported',
  728: 'NoPortMapsAvailable',
};

export function errorText(code: number): string {
  return ERROR_TEXT[code] ?? 'Action Failed';
}

const port = (value: string | undefined): number | undefined => {
  const n = Number(value);
  return value !== undefined && /^\d+$/.test(value.trim()) && n >= 1 && n <= 65535 ? n : undefined;
};
const protocolOf = (value: string | undefined): 'TCP' | 'UDP' | undefined => {
  const upper = value?.trim().toUpperCase();
  return upper === 'TCP' || upper === 'UDP' ? upper : undefined;
};
const entryValues = (m: FakeMapping): Record<string, string | number | boolean> => ({
  NewInternalPort: m.internalPort,
  NewInternalClient: m.internalClient,
  NewEnabled: m.enabled,
  NewPortMappingDescription: m.description,
  NewLeaseDuration: m.leaseSeconds,
});

/** Loopback callers show up as ::ffff:127.0.0.1 on a dual-stack socket. */
function sameHost(a: string, b: string): boolean {
  const strip = (value: string): string => value.replace(/^::ffff:/i, '');
  return strip(a) === strip(b);
}

export function runAction(
  state: FakeIgdState,
  action: string,
  args: Record<string, string>,
  caller: string,
): ActionOutcome {
  const forced = state.failActions[action];
  if (forced !== undefined) return { fault: forced };
  const find = (externalPort: number, protocol: string): number =>
    state.mappings.findIndex((m) => m.externalPort === externalPort && m.protocol === protocol);
  switch (action) {
    case 'GetExternalIPAddress':
      return { values: { NewExternalIPAddress: state.externalIp } };
    case 'GetStatusInfo':
      return {
        values: {
          NewConnectionStatus: state.connectionStatus,
          NewLastConnectionError: state.lastConnectionError,
          NewUptime: state.uptimeSeconds,
        },
      };
    case 'GetGenericPortMappingEntry': {
      const index = Number(args.NewPortMappingIndex);
      const m = Number.isInteger(index) && index >= 0 ? state.mappings[index] : undefined;
      if (!m) return { fault: 713 };
      return {
        values: {
          NewRemoteHost: m.remoteHost,
          NewExternalPort: m.externalPort,
          NewProtocol: m.protocol,
          ...entryValues(m),
        },
      };
    }
    case 'GetSpecificPortMappingEntry': {
      const externalPort = port(args.NewExternalPort);
      const protocol = protocolOf(args.NewProtocol);
      if (externalPort === undefined || protocol === undefined) return { fault: 402 };
      const index = find(externalPort, protocol);
      return index < 0 ? { fault: 714 } : { values: entryValues(state.mappings[index]!) };
    }
    case 'AddPortMapping': {
      const externalPort = port(args.NewExternalPort);
      const internalPort = port(args.NewInternalPort);
      const protocol = protocolOf(args.NewProtocol);
      const internalClient = args.NewInternalClient?.trim() ?? '';
      const leaseSeconds = Number(args.NewLeaseDuration ?? '0');
      if (
        externalPort === undefined ||
        internalPort === undefined ||
        protocol === undefined ||
        internalClient === '' ||
        !Number.isInteger(leaseSeconds)
      )
        return { fault: 402 };
      if (state.permanentLeasesOnly && leaseSeconds !== 0) return { fault: 725 };
      // miniupnpd answers 718 (not 606) when secure_mode refuses a mapping to another host (docs/reference/netlab.md,
      // secure_mode note).
      if (state.secureMode && !sameHost(internalClient, caller)) return { fault: 718 };
      const mapping: FakeMapping = {
        remoteHost: args.NewRemoteHost ?? '',
        externalPort,
        protocol,
        internalPort,
        internalClient,
        enabled: args.NewEnabled !== '0',
        description: args.NewPortMappingDescription ?? '',
        leaseSeconds,
      };
      const existing = find(externalPort, protocol);
      if (existing >= 0) {
        if (state.mappings[existing]!.internalClient !== internalClient) return { fault: 718 };
        state.mappings[existing] = mapping;
      } else {
        state.mappings.push(mapping);
      }
      return { values: {} };
    }
    case 'DeletePortMapping': {
      const externalPort = port(args.NewExternalPort);
      const protocol = protocolOf(args.NewProtocol);
      if (externalPort === undefined || protocol === undefined) return { fault: 402 };
      const index = find(externalPort, protocol);
      if (index < 0) return { fault: 714 };
      state.mappings.splice(index, 1);
      return { values: {} };
    }
    default:
      return { fault: 401 };
  }
}
