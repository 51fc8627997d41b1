/** Helpers shared by the lab's test files (not a test file itself). */
import { describe } from 'vitest';
import { ALL_LAB_TOOLS, checkLabAvailability } from './harness/availability.js';
import { LAB_ADDRESSES, type Lab, type LabHttpResult, type PortForward } from './harness/index.js';

/** The global setup prints the one "lab skipped: <reason>" line; the files skip silently. */
export const labAvailable = checkLabAvailability(ALL_LAB_TOOLS).available;
export function describeLab(name: string, body: () => void): void {
  describe.skipIf(!labAvailable)(name, body);
}

export const LAN_HOST = LAB_ADDRESSES.lanHost;

export function forward(externalPort: number, internalPort = 32400, internalHost: string = LAN_HOST): PortForward {
  return { externalPort, internalHost, internalPort };
}

/** GET /identity from the remote client on the internet (source 198.51.100.20) to the home's public address. */
export function fromInternet(
  lab: Lab,
  port: number,
  options: { address?: string; timeoutMs?: number } = {},
): Promise<LabHttpResult> {
  return lab.http('inet', {
    url: `http://${options.address ?? lab.addresses.publicIp}:${port}/identity`,
    localAddress: LAB_ADDRESSES.remoteClient,
    timeoutMs: options.timeoutMs ?? 1000,
  });
}

/** The identity's machineIdentifier in a PMS answer (XML), or undefined. */
export function machineIdentifierOf(result: LabHttpResult): string | undefined {
  return /machineIdentifier="([^"]+)"/.exec(result.body ?? '')?.[1];
}

/** PUT /myplex/refreshReachability on the fake PMS (it waits for the publish + connect-back), then its account. */
export async function refreshAndReadAccount(lab: Lab, role: 'lan' | 'rtr' = 'lan'): Promise<Record<string, unknown>> {
  const headers = { 'X-Plex-Token': lab.token, Accept: 'application/json' };
  const refresh = await lab.http(role, {
    url: `${lab.plex!.url}/myplex/refreshReachability`,
    method: 'PUT',
    headers,
    timeoutMs: 8000,
  });
  if (refresh.status !== 200) throw new Error(`refreshReachability: ${JSON.stringify(refresh)}`);
  return readAccount(lab, role);
}

export async function readAccount(lab: Lab, role: 'lan' | 'rtr' = 'lan'): Promise<Record<string, unknown>> {
  const answer = await lab.http(role, {
    url: `${lab.plex!.url}/myplex/account`,
    headers: { 'X-Plex-Token': lab.token, Accept: 'application/json' },
  });
  const parsed = JSON.parse(answer.body ?? '{}') as Record<string, Record<string, unknown> | undefined>;
  const account = parsed.MyPlex ?? parsed.MediaContainer;
  if (!account) throw new Error(`unexpected /myplex/account answer: ${answer.body}`);
  return account;
}

/** The fake plex.tv's record of the published server (testing-only endpoint; no token needed). */
export async function publishedRecord(lab: Lab): Promise<Record<string, unknown>> {
  const answer = await lab.http('inet', { url: `${lab.plexTvUrl}/__fake/servers/${lab.plex!.machineIdentifier}` });
  return JSON.parse(answer.body ?? '{}') as Record<string, unknown>;
}
