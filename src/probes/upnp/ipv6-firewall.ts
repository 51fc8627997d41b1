/**
 * WANIPv6FirewallControl:1 `GetFirewallStatus` (UPnP IGDv2): whether the router filters inbound IPv6 and whether hosts
 * may open pinholes. The only action of that service called here: the probe is read-only, it never adds a pinhole.
 * Out arguments per the service template: `FirewallEnabled` and `InboundPinholeAllowed`, both booleans ("1"/"0").
 */
import type { Dispatcher } from 'undici';
import { IPV6_FIREWALL_SERVICE_TYPE } from './description.js';
import { describeUpnpError } from './client.js';
import type { Ipv6FirewallStatus } from './schema.js';
import { soapCall } from './soap.js';

export interface ReadIpv6FirewallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

/** UPnP booleans are "1"/"0"; some stacks say "true"/"false" or "yes"/"no". Anything else is no answer. */
function upnpBool(value: string | undefined): boolean | undefined {
  const text = value?.trim().toLowerCase();
  if (text === '1' || text === 'true' || text === 'yes') return true;
  if (text === '0' || text === 'false' || text === 'no') return false;
  return undefined;
}

/** Never throws: a refusal, a failure and a half answer all come back as a status with `error`. */
export async function readIpv6FirewallStatus(
  controlUrl: string | undefined,
  options: ReadIpv6FirewallOptions,
): Promise<Ipv6FirewallStatus> {
  if (!controlUrl) return { offered: false };
  const result = await soapCall({
    controlUrl,
    serviceType: IPV6_FIREWALL_SERVICE_TYPE,
    action: 'GetFirewallStatus',
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  if (result.kind === 'error') return { offered: true, error: `GetFirewallStatus: ${result.error.message}` };
  if (result.kind === 'fault')
    return { offered: true, error: `GetFirewallStatus refused: ${describeUpnpError(result)}` };
  const firewallEnabled = upnpBool(result.values.FirewallEnabled);
  const inboundPinholeAllowed = upnpBool(result.values.InboundPinholeAllowed);
  const missing = [
    ...(firewallEnabled === undefined ? [`FirewallEnabled=${quote(result.values.FirewallEnabled)}`] : []),
    ...(inboundPinholeAllowed === undefined
      ? [`InboundPinholeAllowed=${quote(result.values.InboundPinholeAllowed)}`]
      : []),
  ];
  return {
    offered: true,
    ...(firewallEnabled === undefined ? {} : { firewallEnabled }),
    ...(inboundPinholeAllowed === undefined ? {} : { inboundPinholeAllowed }),
    ...(missing.length ? { error: `GetFirewallStatus answered without a usable ${missing.join(', ')}` } : {}),
  };
}

function quote(value: string | undefined): string {
  return value === undefined ? '(absent)' : JSON.stringify(value.slice(0, 40));
}
