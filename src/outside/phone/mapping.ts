/**
 * The router mapping of the phone check (`--map upnp|natpmp`): made for the duration, with a lease a little longer
 * than the wait, and removed afterwards. The journal is written before the router is asked, and the removal (also of a
 * crashed run's mapping) checks that the entry is still ours before deleting it: a port that was someone else's stays.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { createIgdClient, describeUpnpError } from '../../probes/upnp/client.js';
import { natPmpMapPort, natPmpUnmapPort } from '../../probes/natpmp/probe.js';
import { MAPPING_DESCRIPTION, removePhoneJournal, writePhoneJournal, type PhoneMappingRecord } from './journal.js';

/** UPnP 714 NoSuchEntryInArray: already gone. 718 ConflictInMappingEntry: the port is taken. 725: permanent only. */
const NO_SUCH_ENTRY = 714;
const CONFLICT = 718;
const ONLY_PERMANENT = 725;
const RANDOM_PORTS = { min: 40000, max: 61000, tries: 3 } as const;

export interface RouterCallOptions {
  /** Deadline of each router call. @default 3000 */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export interface MappingMade {
  record: PhoneMappingRecord;
  externalPort: number;
  leaseSeconds: number;
  /** The router's WAN address, when it told us (IGD GetExternalIPAddress, NAT-PMP opcode 0 is not asked here). */
  externalIp?: string;
}

export class MappingRefused extends Error {
  readonly code = 'PLEXDIAG_MAPPING';
}

/** The local address this host uses toward `host` (a connected UDP socket sends nothing). */
export async function localAddressToward(host: string): Promise<string> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(9, host, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}

export interface UpnpMapInput extends RouterCallOptions {
  igd: { controlUrl: string; serviceType: string };
  internalPort: number;
  /** @default a random free port in 40000-60999 */
  externalPort?: number;
  leaseSeconds: number;
  journalPath: string;
}

export async function mapWithUpnp(input: UpnpMapInput): Promise<MappingMade> {
  const igd = createIgdClient(input.igd, { timeoutMs: input.timeoutMs ?? 3000, dispatcher: input.dispatcher });
  const internalClient = await localAddressToward(new URL(input.igd.controlUrl).hostname.replace(/^\[|\]$/g, ''));
  const candidates = input.externalPort
    ? [input.externalPort]
    : Array.from({ length: RANDOM_PORTS.tries }, () => randomInt(RANDOM_PORTS.min, RANDOM_PORTS.max));
  let lastProblem = 'no port tried';
  for (const externalPort of candidates) {
    const record: PhoneMappingRecord = {
      method: 'upnp',
      ...input.igd,
      externalPort,
      internalPort: input.internalPort,
      internalClient,
    };
    await writePhoneJournal(input.journalPath, {
      version: 1,
      kind: 'outside-check',
      pid: process.pid,
      startedAt: new Date().toISOString(),
      mapping: record,
    });
    const add = (leaseSeconds: number) =>
      igd.addPortMapping({
        externalPort,
        internalPort: input.internalPort,
        internalClient,
        protocol: 'TCP',
        description: MAPPING_DESCRIPTION,
        leaseSeconds,
      });
    let leaseSeconds = input.leaseSeconds;
    let result = await add(leaseSeconds);
    if (result.status === 'refused' && result.upnpError.code === ONLY_PERMANENT) {
      leaseSeconds = 0;
      result = await add(0);
    }
    if (result.status === 'ok') {
      const ip = await igd.getExternalIpAddress();
      return {
        record,
        externalPort,
        leaseSeconds,
        ...(ip.status === 'ok' && ip.value.externalIp ? { externalIp: ip.value.externalIp } : {}),
      };
    }
    if (result.status === 'failed') {
      // The answer was lost: the router may hold the mapping. Keep the journal; removal checks it is ours.
      await removeAndForget(record, input);
      throw new MappingRefused(`the router did not answer the UPnP mapping request: ${result.error.message}`);
    }
    await removePhoneJournal(input.journalPath);
    lastProblem = describeUpnpError(result.upnpError);
    if (result.upnpError.code !== CONFLICT || input.externalPort) break;
  }
  throw new MappingRefused(`the router refused the UPnP mapping (${lastProblem})`);
}

export interface NatPmpMapInput extends RouterCallOptions {
  gateway?: { address: string; port: number };
  internalPort: number;
  /** Suggested; the gateway may choose another. @default internalPort */
  externalPort?: number;
  leaseSeconds: number;
  journalPath: string;
}

export async function mapWithNatPmp(input: NatPmpMapInput): Promise<MappingMade> {
  const record: PhoneMappingRecord = {
    method: 'natpmp',
    ...(input.gateway ? { gateway: input.gateway.address, port: input.gateway.port } : {}),
    internalPort: input.internalPort,
  };
  await writePhoneJournal(input.journalPath, {
    version: 1,
    kind: 'outside-check',
    pid: process.pid,
    startedAt: new Date().toISOString(),
    mapping: record,
  });
  const result = await natPmpMapPort({
    protocol: 'tcp',
    internalPort: input.internalPort,
    externalPort: input.externalPort ?? input.internalPort,
    lifetimeSeconds: Math.max(1, input.leaseSeconds),
    timeoutMs: input.timeoutMs ?? 3000,
    ...(input.gateway ? { gateway: input.gateway.address, port: input.gateway.port } : {}),
  });
  if (result.status === 'ok' && result.value.externalPort > 0)
    return { record, externalPort: result.value.externalPort, leaseSeconds: result.value.lifetimeSeconds };
  await removeAndForget(record, input);
  throw new MappingRefused(
    `the gateway refused the NAT-PMP mapping (${result.status === 'failed' ? result.error.message : 'no external port'})`,
  );
}

/** After a lost answer: remove what may exist; the journal goes only once the router confirms. */
async function removeAndForget(
  record: PhoneMappingRecord,
  input: RouterCallOptions & { journalPath: string },
): Promise<void> {
  const removal = await removeMapping(record, input);
  if (removal.removed) await removePhoneJournal(input.journalPath).catch(() => undefined);
}

export type RemovalResult = { removed: true; detail: string } | { removed: false; detail: string };

/** Removes a mapping this tool recorded, only while the router still shows it as ours. Never throws. */
export async function removeMapping(
  record: PhoneMappingRecord,
  options: RouterCallOptions = {},
): Promise<RemovalResult> {
  const timeoutMs = options.timeoutMs ?? 3000;
  if (record.method === 'natpmp') {
    // RFC 6886 §3.4: lifetime 0 removes this host's mapping of that internal port, and nobody else's.
    const result = await natPmpUnmapPort({
      protocol: 'tcp',
      internalPort: record.internalPort,
      timeoutMs,
      ...(record.gateway ? { gateway: record.gateway } : {}),
      ...(record.port ? { port: record.port } : {}),
    });
    return result.status === 'ok'
      ? { removed: true, detail: `NAT-PMP mapping of port ${record.internalPort} removed` }
      : { removed: false, detail: `NAT-PMP unmap failed: ${result.error.message}` };
  }
  const igd = createIgdClient(record, { timeoutMs, dispatcher: options.dispatcher });
  const entry = await igd.getSpecificPortMappingEntry(record.externalPort, 'TCP');
  if (entry.status === 'refused' && entry.upnpError.code === NO_SUCH_ENTRY)
    return { removed: true, detail: `no mapping of external port ${record.externalPort} (already gone)` };
  if (entry.status === 'ok') {
    const ours =
      entry.value.internalClient === record.internalClient &&
      entry.value.internalPort === record.internalPort &&
      entry.value.description === MAPPING_DESCRIPTION;
    if (!ours)
      return { removed: true, detail: `external port ${record.externalPort} now maps elsewhere: not ours, left alone` };
  }
  // A router that cannot answer GetSpecificPortMappingEntry may still delete: try, the entry was recorded as ours.
  const result = await igd.deletePortMapping(record.externalPort, 'TCP');
  if (result.status === 'ok')
    return { removed: true, detail: `UPnP mapping of external port ${record.externalPort} removed` };
  if (result.status === 'refused' && result.upnpError.code === NO_SUCH_ENTRY)
    return { removed: true, detail: `no mapping of external port ${record.externalPort} (already gone)` };
  const why = result.status === 'refused' ? describeUpnpError(result.upnpError) : result.error.message;
  return {
    removed: false,
    detail: `deleting the UPnP mapping of external port ${record.externalPort} failed (${why}): remove it in the router's UPnP table`,
  };
}
