/**
 * A WANIPConnection / WANPPPConnection client for the probe and for the opt-in alternate-port experiment. Every call
 * has its own deadline and returns a result: `ok`, `refused` (the device said no, with its UPnP error code) or
 * `failed` (network, timeout, garbled answer). Nothing throws.
 */
import { z } from 'zod';
import type { Dispatcher } from 'undici';
import { linkSignals } from '../../core/util/link-signals.js';
import { isIpAddress } from '../../core/net/address.js';
import { plexBoolOpt, plexNumber, plexNumberOpt } from '../../http/plex-values.js';
import type { ProbeError } from '../types.js';
import {
  ConnectionStatusInfo,
  type PortMappingEntry,
  type IgdServiceRef,
  type IndexedPortMapping,
  type PortMappingProtocol,
} from './schema.js';
import { soapCall, UPNP_ERROR_NAMES, type SoapArgument } from './soap.js';

export type IgdCallResult<T> =
  | { status: 'ok'; value: T; durationMs: number }
  | { status: 'refused'; upnpError: { code?: number; description: string }; durationMs: number }
  | { status: 'failed'; error: ProbeError; durationMs: number };

export interface IgdClientOptions {
  /** Deadline of each call. @default 3000 */
  timeoutMs?: number;
  /** Cancels every call of this client. @default undefined (no cancellation) */
  signal?: AbortSignal;
  /** undici dispatcher for the control requests. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
}

export interface IgdCallOptions {
  /** Deadline of this call. @default the client's timeoutMs */
  timeoutMs?: number;
  /** Cancels this call. @default undefined (no cancellation) */
  signal?: AbortSignal;
}

export interface AddPortMappingInput {
  externalPort: number;
  internalPort: number;
  /** The LAN address the mapping forwards to; miniupnpd's secure_mode refuses (718) any address but the caller's. */
  internalClient: string;
  protocol: PortMappingProtocol;
  /** @default 'plex-diagnose' */
  description?: string;
  /** 0 = permanent; some IGD:1 devices accept only 0 (error 725). @default 600 */
  leaseSeconds?: number;
  /** @default true */
  enabled?: boolean;
  /** "" = any remote host. @default '' */
  remoteHost?: string;
}

export interface ListPortMappingsResult {
  mappings: IndexedPortMapping[];
  /** True when the device signalled the end of the table (713 SpecifiedArrayIndexInvalid or 714 NoSuchEntryInArray). */
  complete: boolean;
  /** What stopped an incomplete enumeration. */
  stoppedBy?: { code?: number; description: string };
}

export interface IgdClient {
  readonly controlUrl: string;
  readonly serviceType: string;
  getExternalIpAddress(options?: IgdCallOptions): Promise<IgdCallResult<{ externalIp: string }>>;
  getStatusInfo(options?: IgdCallOptions): Promise<IgdCallResult<ConnectionStatusInfo>>;
  getGenericPortMappingEntry(index: number, options?: IgdCallOptions): Promise<IgdCallResult<IndexedPortMapping>>;
  getSpecificPortMappingEntry(
    externalPort: number,
    protocol: PortMappingProtocol,
    options?: IgdCallOptions & { remoteHost?: string },
  ): Promise<IgdCallResult<PortMappingEntry>>;
  addPortMapping(mapping: AddPortMappingInput, options?: IgdCallOptions): Promise<IgdCallResult<PortMappingEntry>>;
  deletePortMapping(
    externalPort: number,
    protocol: PortMappingProtocol,
    options?: IgdCallOptions & { remoteHost?: string },
  ): Promise<IgdCallResult<{ externalPort: number; protocol: PortMappingProtocol }>>;
  /** Enumerates the table from index 0 until 713/714, another error, `max` entries or `deadlineAt` (performance.now()). */
  listPortMappings(options?: {
    max?: number;
    deadlineAt?: number;
    signal?: AbortSignal;
  }): Promise<ListPortMappingsResult>;
}

export const DEFAULT_IGD_CALL_TIMEOUT_MS = 3000;
/** Enumeration cap: a table longer than this is a router bug or a loop. */
export const MAX_PORT_MAPPINGS = 256;
const END_OF_TABLE = new Set([713, 714]);

const text = z.preprocess((value) => (typeof value === 'string' ? value : ''), z.string());
const SoapMapping = z.object({
  NewRemoteHost: text,
  NewExternalPort: plexNumber,
  NewProtocol: text,
  NewInternalPort: plexNumber,
  NewInternalClient: text,
  NewEnabled: plexBoolOpt,
  NewPortMappingDescription: text,
  NewLeaseDuration: plexNumberOpt,
});
const SoapStatus = z.object({
  NewConnectionStatus: z.string().optional(),
  NewLastConnectionError: z.string().optional(),
  NewUptime: plexNumberOpt,
});

function toEntry(values: z.infer<typeof SoapMapping>): PortMappingEntry {
  return {
    remoteHost: values.NewRemoteHost,
    externalPort: Math.trunc(values.NewExternalPort),
    protocol: values.NewProtocol.toUpperCase(),
    internalPort: Math.trunc(values.NewInternalPort),
    internalClient: values.NewInternalClient,
    enabled: values.NewEnabled ?? true,
    description: values.NewPortMappingDescription,
    leaseSeconds: Math.trunc(values.NewLeaseDuration ?? 0),
  };
}

const isPort = (value: number): boolean => Number.isInteger(value) && value >= 1 && value <= 65535;

function invalid<T>(message: string): IgdCallResult<T> {
  return { status: 'failed', error: { phase: 'request', code: 'EINVAL', message }, durationMs: 0 };
}

export function createIgdClient(igd: IgdServiceRef, options: IgdClientOptions = {}): IgdClient {
  const call = async <T>(
    action: string,
    args: readonly SoapArgument[],
    callOptions: IgdCallOptions | undefined,
    map: (values: Record<string, string>) => T | undefined,
  ): Promise<IgdCallResult<T>> => {
    // Not AbortSignal.any: a client's signal may live long (see link-signals.ts).
    const linked = linkSignals(options.signal, callOptions?.signal);
    const result = await soapCall({
      controlUrl: igd.controlUrl,
      serviceType: igd.serviceType,
      action,
      args,
      timeoutMs: callOptions?.timeoutMs ?? options.timeoutMs ?? DEFAULT_IGD_CALL_TIMEOUT_MS,
      ...(linked.signal ? { signal: linked.signal } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    }).finally(() => linked.release());
    if (result.kind === 'error') return { status: 'failed', error: result.error, durationMs: result.durationMs };
    if (result.kind === 'fault') {
      const upnpError =
        result.code === undefined
          ? { description: result.description }
          : { code: result.code, description: result.description };
      return { status: 'refused', upnpError, durationMs: result.durationMs };
    }
    const value = map(result.values);
    if (value === undefined) {
      return {
        status: 'failed',
        error: { phase: 'response', code: 'EBADRESPONSE', message: `${action}: the answer lacks required arguments` },
        durationMs: result.durationMs,
      };
    }
    return { status: 'ok', value, durationMs: result.durationMs };
  };

  const mapping = (values: Record<string, string>): PortMappingEntry | undefined => {
    const parsed = SoapMapping.safeParse(values);
    return parsed.success ? toEntry(parsed.data) : undefined;
  };

  const client: IgdClient = {
    controlUrl: igd.controlUrl,
    serviceType: igd.serviceType,
    getExternalIpAddress: (callOptions) =>
      call('GetExternalIPAddress', [], callOptions, (values) =>
        values.NewExternalIPAddress === undefined ? undefined : { externalIp: values.NewExternalIPAddress },
      ),
    getStatusInfo: (callOptions) =>
      call('GetStatusInfo', [], callOptions, (values) => {
        const parsed = SoapStatus.safeParse(values);
        if (!parsed.success) return undefined;
        return ConnectionStatusInfo.parse({
          connectionStatus: parsed.data.NewConnectionStatus || undefined,
          lastConnectionError: parsed.data.NewLastConnectionError || undefined,
          uptimeSeconds: parsed.data.NewUptime,
        });
      }),
    getGenericPortMappingEntry: (index, callOptions) => {
      if (!Number.isInteger(index) || index < 0) return Promise.resolve(invalid(`invalid mapping index ${index}`));
      return call('GetGenericPortMappingEntry', [['NewPortMappingIndex', index]], callOptions, (values) => {
        const entry = mapping(values);
        return entry && { index, ...entry };
      });
    },
    getSpecificPortMappingEntry: (externalPort, protocol, callOptions) => {
      if (!isPort(externalPort)) return Promise.resolve(invalid(`invalid external port ${externalPort}`));
      const args: SoapArgument[] = [
        ['NewRemoteHost', callOptions?.remoteHost ?? ''],
        ['NewExternalPort', externalPort],
        ['NewProtocol', protocol],
      ];
      return call('GetSpecificPortMappingEntry', args, callOptions, (values) =>
        mapping({
          NewExternalPort: String(externalPort),
          NewProtocol: protocol,
          NewRemoteHost: callOptions?.remoteHost ?? '',
          ...values,
        }),
      );
    },
    addPortMapping: (input, callOptions) => {
      if (!isPort(input.externalPort) || !isPort(input.internalPort))
        return Promise.resolve(invalid(`invalid ports ${input.externalPort} -> ${input.internalPort}`));
      if (!isIpAddress(input.internalClient))
        return Promise.resolve(invalid(`internalClient must be an IP address, got "${input.internalClient}"`));
      const entry: PortMappingEntry = {
        remoteHost: input.remoteHost ?? '',
        externalPort: input.externalPort,
        protocol: input.protocol,
        internalPort: input.internalPort,
        internalClient: input.internalClient,
        enabled: input.enabled ?? true,
        description: input.description ?? 'plex-diagnose',
        leaseSeconds: input.leaseSeconds ?? 600,
      };
      // Argument order is the one in the service description: some routers parse positionally.
      const args: SoapArgument[] = [
        ['NewRemoteHost', entry.remoteHost],
        ['NewExternalPort', entry.externalPort],
        ['NewProtocol', entry.protocol],
        ['NewInternalPort', entry.internalPort],
        ['NewInternalClient', entry.internalClient],
        ['NewEnabled', entry.enabled],
        ['NewPortMappingDescription', entry.description],
        ['NewLeaseDuration', entry.leaseSeconds],
      ];
      return call('AddPortMapping', args, callOptions, () => entry);
    },
    deletePortMapping: (externalPort, protocol, callOptions) => {
      if (!isPort(externalPort)) return Promise.resolve(invalid(`invalid external port ${externalPort}`));
      const args: SoapArgument[] = [
        ['NewRemoteHost', callOptions?.remoteHost ?? ''],
        ['NewExternalPort', externalPort],
        ['NewProtocol', protocol],
      ];
      return call('DeletePortMapping', args, callOptions, () => ({ externalPort, protocol }));
    },
    listPortMappings: async (listOptions = {}) => {
      const max = listOptions.max ?? MAX_PORT_MAPPINGS;
      const mappings: IndexedPortMapping[] = [];
      for (let index = 0; index < max; index++) {
        const remaining = listOptions.deadlineAt === undefined ? undefined : listOptions.deadlineAt - performance.now();
        if (remaining !== undefined && remaining < 1) {
          return {
            mappings,
            complete: false,
            stoppedBy: { description: `deadline reached after ${mappings.length} entries` },
          };
        }
        const result = await client.getGenericPortMappingEntry(index, {
          ...(remaining !== undefined
            ? { timeoutMs: Math.min(remaining, options.timeoutMs ?? DEFAULT_IGD_CALL_TIMEOUT_MS) }
            : {}),
          ...(listOptions.signal ? { signal: listOptions.signal } : {}),
        });
        if (result.status === 'ok') {
          mappings.push(result.value);
          continue;
        }
        if (
          result.status === 'refused' &&
          result.upnpError.code !== undefined &&
          END_OF_TABLE.has(result.upnpError.code)
        ) {
          return { mappings, complete: true };
        }
        const stoppedBy = result.status === 'refused' ? result.upnpError : { description: result.error.message };
        return { mappings, complete: false, stoppedBy };
      }
      return { mappings, complete: false, stoppedBy: { description: `stopped at the ${max}-entry cap` } };
    },
  };
  return client;
}

/** "718 ConflictInMappingEntry" style text for a refusal. */
export function describeUpnpError(error: { code?: number; description: string }): string {
  if (error.code === undefined) return error.description;
  const name = UPNP_ERROR_NAMES[error.code];
  return name && name !== error.description
    ? `${error.code} ${error.description} (${name})`
    : `${error.code} ${error.description}`;
}
