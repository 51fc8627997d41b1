/**
 * A fake UPnP Internet Gateway Device on loopback: a UDP SSDP responder (tests send the M-SEARCH to it unicast; real
 * multicast is the namespace lab's job) and an HTTP server with a miniupnpd-like description and a SOAP control
 * endpoint backed by a live port-mapping table. Used by our tests, the alternate-port experiment tests and tool authors.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { startUdpResponder } from '../udp-responder.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeBody } from '../../http/decode.js';
import { takeFault, playFault, type FaultRule } from '../faults.js';
import {
  FLAVOURS,
  IPV6_FIREWALL,
  MINIUPNPD_SERVER,
  renderDescription,
  renderSoapFault,
  renderSoapResponse,
  renderSsdpReply,
  type FakeIgdFlavour,
} from './xml.js';
import { errorText, runAction, type FakeIgdState, type FakeMapping } from './actions.js';
import { readRequestBody, startLoopbackServer } from '../http-server.js';

export type { FakeIgdFlavour } from './xml.js';
export type { FakeMapping } from './actions.js';

export interface FakeIgdOptions {
  /** What GetExternalIPAddress answers; "" imitates miniupnpd with a reserved WAN address. */
  externalIp: string;
  /** The initial port-mapping table. @default [] */
  mappings?: FakeMapping[];
  /** UDP port of the SSDP responder. @default 0 (ephemeral) */
  ssdpPort?: number;
  /** TCP port of the HTTP server. @default 0 (ephemeral) */
  httpPort?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Forced refusals: action name → UPnP error code, e.g. `{ GetStatusInfo: 401 }`. @default {} */
  failActions?: Partial<Record<string, number>>;
  /** Description shape. @default 'miniupnpd' */
  deviceXmlFlavour?: FakeIgdFlavour;
  /** Refuse (718) mappings whose internalClient is not the caller's address, like miniupnpd's secure_mode. @default false */
  secureMode?: boolean;
  /** Refuse (725) any lease but 0. @default false */
  permanentLeasesOnly?: boolean;
  /** @default 'Connected' */
  connectionStatus?: string;
  /** @default 'ERROR_NONE' */
  lastConnectionError?: string;
  /** @default 592 */
  uptimeSeconds?: number;
  /** HTTP faults by path (the description is `/rootDesc.xml`, control paths per flavour). @default [] */
  faults?: FaultRule[];
  /** Datagrams sent to each searcher before the real reply (junk, foreign replies). @default [] */
  ssdpJunk?: (string | Buffer)[];
  /** Never answer M-SEARCH. @default false */
  ssdpSilent?: boolean;
  /** Delay before the SSDP reply (real devices wait a random 0..MX s). @default 0 */
  ssdpDelayMs?: number;
  /** SERVER header of the SSDP reply. @default miniupnpd 2.3.1's */
  server?: string;
  /** friendlyName/modelName in the description. @default 'Debian router' */
  friendlyName?: string;
  /**
   * Offer WANIPv6FirewallControl:1 and answer GetFirewallStatus with these out arguments (booleans become "1"/"0";
   * a string is sent as is, to play a router that lies; `undefined` leaves the argument out, to play one that
   * answers half). Every other action of the service is refused with 401 (the probe is read-only).
   * @default undefined (no IPv6 firewall service, like an IGD:1 router)
   */
  ipv6Firewall?: { firewallEnabled?: boolean | string; inboundPinholeAllowed?: boolean | string };
}

export interface FakeIgdRequests {
  /** M-SEARCH datagrams received. */
  ssdp: number;
  /** Description GETs. */
  description: number;
  /** SOAP calls in order, with the caller's address. */
  soap: { action: string; remoteAddress: string }[];
}

export interface FakeIgd {
  readonly host: string;
  readonly ssdpPort: number;
  readonly httpPort: number;
  /** `host:ssdpPort`, ready for `ssdpAddress`. */
  readonly ssdpAddress: string;
  /** The description URL. */
  readonly location: string;
  readonly controlUrl: string;
  readonly serviceType: string;
  readonly requests: FakeIgdRequests;
  /** A copy of the current table. */
  mappings(): FakeMapping[];
  /** Live state, for tests that change the external IP or status mid-run. */
  readonly state: FakeIgdState;
  close(): Promise<void>;
}

export const DESCRIPTION_PATH = '/rootDesc.xml';

export async function startFakeIgd(options: FakeIgdOptions): Promise<FakeIgd> {
  const host = options.host ?? '127.0.0.1';
  const flavour = FLAVOURS[options.deviceXmlFlavour ?? 'miniupnpd'];
  const faults = [...(options.faults ?? [])];
  const requests: FakeIgdRequests = { ssdp: 0, description: 0, soap: [] };
  const state: FakeIgdState = {
    externalIp: options.externalIp,
    mappings: (options.mappings ?? []).map((m) => ({ ...m })),
    connectionStatus: options.connectionStatus ?? 'Connected',
    lastConnectionError: options.lastConnectionError ?? 'ERROR_NONE',
    uptimeSeconds: options.uptimeSeconds ?? 592,
    secureMode: options.secureMode ?? false,
    permanentLeasesOnly: options.permanentLeasesOnly ?? false,
    failActions: { ...(options.failActions ?? {}) },
  };
  let base = '';

  const handler = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const fault = takeFault(faults, request.method ?? 'GET', path);
    if (path === DESCRIPTION_PATH) requests.description += 1;
    if (fault) return playFault(fault, request, response, 'xml');
    if (request.method === 'GET' && path === DESCRIPTION_PATH) {
      response.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"' });
      response.end(
        renderDescription(options.deviceXmlFlavour ?? 'miniupnpd', base, options.friendlyName, !!options.ipv6Firewall),
      );
      return;
    }
    if (request.method === 'POST' && path === flavour.controlPath) return control(request, response);
    if (request.method === 'POST' && path === IPV6_FIREWALL.controlPath && options.ipv6Firewall)
      return firewallControl(request, response, options.ipv6Firewall);
    response.writeHead(404, { 'Content-Type': 'text/html' });
    response.end(
      '<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD><BODY><H1>Not Found</H1>The requested URL was not found on this server.</BODY></HTML>',
    );
  };

  const control = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const soapAction = String(request.headers.soapaction ?? '')
      .replace(/"/g, '')
      .trim();
    const hash = soapAction.lastIndexOf('#');
    const serviceType = hash < 0 ? '' : soapAction.slice(0, hash);
    const action = hash < 0 ? '' : soapAction.slice(hash + 1);
    const caller = request.socket.remoteAddress ?? '';
    requests.soap.push({ action, remoteAddress: caller });
    const outcome =
      serviceType === flavour.serviceType
        ? runAction(state, action, readArguments(await readRequestBody(request, 64 * 1024), action), caller)
        : { fault: 401 };
    if ('fault' in outcome) {
      response.writeHead(500, { 'Content-Type': 'text/xml; charset="utf-8"' });
      response.end(renderSoapFault(outcome.fault, errorText(outcome.fault)));
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', Ext: '' });
    response.end(renderSoapResponse(serviceType, action, outcome.values));
  };

  const firewallControl = (
    request: IncomingMessage,
    response: ServerResponse,
    status: NonNullable<FakeIgdOptions['ipv6Firewall']>,
  ): void => {
    const soapAction = String(request.headers.soapaction ?? '').replace(/"/g, '');
    const action = soapAction.slice(soapAction.lastIndexOf('#') + 1);
    requests.soap.push({ action, remoteAddress: request.socket.remoteAddress ?? '' });
    request.resume();
    if (soapAction !== `${IPV6_FIREWALL.serviceType}#GetFirewallStatus`) {
      response.writeHead(500, { 'Content-Type': 'text/xml; charset="utf-8"' });
      response.end(renderSoapFault(401, errorText(401)));
      return;
    }
    const values: Record<string, string | boolean> = {};
    if (status.firewallEnabled !== undefined) values.FirewallEnabled = status.firewallEnabled;
    if (status.inboundPinholeAllowed !== undefined) values.InboundPinholeAllowed = status.inboundPinholeAllowed;
    response.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', Ext: '' });
    response.end(renderSoapResponse(IPV6_FIREWALL.serviceType, 'GetFirewallStatus', values));
  };

  const http = await startLoopbackServer(handler, { host, port: options.httpPort ?? 0 });
  base = http.url;
  const location = `${http.url}${DESCRIPTION_PATH}`;
  const ssdp = await startSsdpResponder(host, options.ssdpPort ?? 0, (search, from, socket) => {
    requests.ssdp += 1;
    if (options.ssdpSilent) return;
    const targets =
      search === 'ssdp:all' ? flavour.searchTargets.slice(0, 1) : flavour.searchTargets.filter((t) => t === search);
    if (targets.length === 0) return;
    setTimeout(() => {
      for (const junk of options.ssdpJunk ?? [])
        safeSend(socket, typeof junk === 'string' ? Buffer.from(junk) : junk, from);
      for (const target of targets)
        safeSend(socket, Buffer.from(renderSsdpReply(target, location, options.server ?? MINIUPNPD_SERVER)), from);
    }, options.ssdpDelayMs ?? 0);
  });

  return {
    host,
    ssdpPort: ssdp.port,
    httpPort: http.port,
    ssdpAddress: `${host.includes(':') ? `[${host}]` : host}:${ssdp.port}`,
    location,
    controlUrl: `${http.url}${flavour.controlPath}`,
    serviceType: flavour.serviceType,
    requests,
    state,
    mappings: () => state.mappings.map((m) => ({ ...m })),
    close: async () => {
      await Promise.all([http.close(), ssdp.close()]);
    },
  };
}

/** The arguments of a SOAP request, by local element name. Unparsable bodies give no arguments (→ 402). */
function readArguments(body: string, action: string): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    const decoded = decodeBody(Buffer.from(body), { xmlArrays: new Set<string>() });
    const local = (key: string): string => key.slice(key.indexOf(':') + 1);
    const child = (node: unknown, name: string): unknown =>
      node && typeof node === 'object'
        ? Object.entries(node).find(([key]) => !key.startsWith('xmlns') && local(key) === name)?.[1]
        : undefined;
    const call = child(child(child(decoded, 'Envelope'), 'Body'), action);
    if (call && typeof call === 'object') {
      for (const [key, value] of Object.entries(call))
        if (typeof value === 'string' && !key.startsWith('xmlns')) out[local(key)] = value;
    }
  } catch {
    // A garbled request: the action sees no arguments and refuses with 402, as a real device would.
  }
  return out;
}

function safeSend(socket: Socket, message: Buffer, to: RemoteInfo): void {
  try {
    socket.send(message, to.port, to.address);
  } catch {
    // The responder was closed while a delayed reply was pending.
  }
}

async function startSsdpResponder(
  host: string,
  port: number,
  onSearch: (searchTarget: string, from: RemoteInfo, socket: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  return startUdpResponder(host, port, (message, from, responder) => {
    const text = message.toString('latin1');
    if (!/^M-SEARCH \* HTTP\/1\.1\r?\n/i.test(text)) return;
    const st = /^ST:\s*(.+?)\s*$/im.exec(text)?.[1];
    if (st) onSearch(st, from, responder.socket);
  });
}
