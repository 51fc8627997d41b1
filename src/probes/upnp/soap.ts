/**
 * UPnP control over SOAP 1.1 (UDA 1.1 §3.2): a POST of an Envelope to the service's control URL with a quoted
 * `SOAPAction: "<serviceType>#<action>"` header. Success is `<u:<action>Response>` with one element per out
 * argument; refusal is a SOAP Fault whose `<detail><UPnPError>` carries `errorCode`/`errorDescription` (miniupnpd
 * answers 713 past the end of the mapping table and 718 for a mapping to another host under secure_mode:
 * docs/reference/netlab.md "Scenario 5").
 */
import type { Dispatcher } from 'undici';
import { decodeBody } from '../../http/decode.js';
import { httpRequest } from '../../http/transport.js';
import type { ProbeError } from '../types.js';
import { probeErrorFromHttp } from './http-failure.js';

/** Error codes of the WANIPConnection:2 / WANPPPConnection:1 specs that a port-mapping client meets. */
export const UPNP_ERROR_NAMES: Readonly<Record<number, string>> = {
  401: 'InvalidAction',
  402: 'InvalidArgs',
  501: 'ActionFailed',
  606: 'ActionNotAuthorized',
  713: 'SpecifiedArrayIndexInvalid',
  714: 'NoSuchEntryInArray',
  715: 'WildCardNotPermittedInSrcIP',
  716: 'WildCardNotPermittedInExtPort',
  718: 'ConflictInMappingEntry',
  724: 'SamePortValuesRequired',
  725: 'OnlyPermanentLeasesSupported',
  726: 'RemoteHostOnlySupportsWildcard',
  727: 'ExternalPortOnlySupportsWildcard',
  728: 'NoPortMapsAvailable',
  729: 'ConflictWithOtherMechanisms',
  732: 'WildCardNotPermittedInIntPort',
};

export type SoapArgument = readonly [name: string, value: string | number | boolean];

export type SoapParseResult =
  | { kind: 'response'; values: Record<string, string> }
  | { kind: 'fault'; code?: number; description: string }
  | { kind: 'invalid'; reason: string };

export type SoapCallResult =
  | { kind: 'response'; values: Record<string, string>; durationMs: number }
  | { kind: 'fault'; code?: number; description: string; httpStatus: number; durationMs: number }
  | { kind: 'error'; error: ProbeError; durationMs: number };

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function argumentText(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? '1' : '0') : escapeXml(String(value));
}

export function buildSoapEnvelope(serviceType: string, action: string, args: readonly SoapArgument[] = []): string {
  const body = args.map(([name, value]) => `<${name}>${argumentText(value)}</${name}>`).join('');
  return (
    '<?xml version="1.0"?>\r\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(serviceType)}">${body}</u:${action}></s:Body></s:Envelope>\r\n`
  );
}

/** `s:Body` → `Body`: devices use whatever prefixes they like. */
function localName(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(colon + 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function childOf(node: unknown, name: string): unknown {
  if (!isRecord(node)) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (!key.startsWith('xmlns') && localName(key) === name) return value;
  }
  return undefined;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (isRecord(value)) {
    const text = value['#text'];
    return typeof text === 'string' ? text.trim() : '';
  }
  return undefined;
}

const ATTRIBUTE_KEYS = /^(xmlns(:.*)?|.*:encodingStyle|encodingStyle|#text)$/;

/**
 * Parses a control response body. HTML, malformed or truncated XML and documents that are neither a response nor a
 * fault come back as `invalid`; this never throws.
 */
export function parseSoapResponse(body: Buffer | string, action: string): SoapParseResult {
  let decoded: unknown;
  try {
    decoded = decodeBody(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, { xmlArrays: new Set<string>() });
  } catch (error) {
    return { kind: 'invalid', reason: error instanceof Error ? error.message : String(error) };
  }
  const soapBody = childOf(childOf(decoded, 'Envelope'), 'Body');
  if (!isRecord(soapBody)) return { kind: 'invalid', reason: 'no SOAP Envelope/Body' };
  const fault = childOf(soapBody, 'Fault');
  if (fault !== undefined) {
    const upnpError = childOf(childOf(fault, 'detail'), 'UPnPError');
    const codeText = textOf(childOf(upnpError, 'errorCode'));
    const code = codeText !== undefined && /^\d{1,4}$/.test(codeText) ? Number(codeText) : undefined;
    const description =
      textOf(childOf(upnpError, 'errorDescription')) ||
      (code !== undefined ? UPNP_ERROR_NAMES[code] : undefined) ||
      textOf(childOf(fault, 'faultstring')) ||
      'SOAP fault';
    return code === undefined ? { kind: 'fault', description } : { kind: 'fault', code, description };
  }
  const response = childOf(soapBody, `${action}Response`);
  if (response === undefined) return { kind: 'invalid', reason: `no ${action}Response in the SOAP body` };
  const values: Record<string, string> = {};
  if (isRecord(response)) {
    for (const [key, value] of Object.entries(response)) {
      if (ATTRIBUTE_KEYS.test(key)) continue;
      const text = textOf(value);
      if (text !== undefined) values[localName(key)] = text;
    }
  }
  return { kind: 'response', values };
}

export interface SoapCallOptions {
  controlUrl: string;
  serviceType: string;
  action: string;
  args?: readonly SoapArgument[];
  /** Deadline for this one call. */
  timeoutMs: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

/** Largest control response we read. */
const MAX_SOAP_BYTES = 64 * 1024;

/** One control call. Never throws: network trouble, a fault and a garbled answer are all results. */
export async function soapCall(options: SoapCallOptions): Promise<SoapCallResult> {
  const started = performance.now();
  const durationMs = (): number => Math.round(performance.now() - started);
  const what = `${options.action} at ${options.controlUrl}`;
  let response;
  try {
    response = await httpRequest({
      method: 'POST',
      url: options.controlUrl,
      headers: {
        'Content-Type': 'text/xml; charset="utf-8"',
        SOAPAction: `"${options.serviceType}#${options.action}"`,
      },
      body: buildSoapEnvelope(options.serviceType, options.action, options.args),
      timeoutMs: Math.max(1, options.timeoutMs),
      maxBodyBytes: MAX_SOAP_BYTES,
      maxRedirects: 0,
      signal: options.signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (error) {
    return { kind: 'error', error: probeErrorFromHttp(error, what), durationMs: durationMs() };
  }
  const parsed = parseSoapResponse(response.body, options.action);
  if (parsed.kind === 'fault') return { ...parsed, httpStatus: response.status, durationMs: durationMs() };
  if (parsed.kind === 'response' && response.status >= 200 && response.status <= 299) {
    return { kind: 'response', values: parsed.values, durationMs: durationMs() };
  }
  if (response.status < 200 || response.status > 299) {
    return {
      kind: 'error',
      error: {
        phase: 'response',
        code: 'EHTTPSTATUS',
        message: `${what}: HTTP ${response.status} without a SOAP fault`,
      },
      durationMs: durationMs(),
    };
  }
  return {
    kind: 'error',
    error: {
      phase: 'response',
      code: 'EBADRESPONSE',
      message: `${what}: ${parsed.kind === 'invalid' ? parsed.reason : 'unexpected answer'}`,
    },
    durationMs: durationMs(),
  };
}
