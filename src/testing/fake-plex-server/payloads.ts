/**
 * Plex-shaped responses of the fake server. One element model renders both ways, as PMS does: XML attributes
 * (booleans "1"/"0") by default, and `Accept: application/json` → `{"MediaContainer":{…attributes, Child:[…]}}`
 * with real booleans and numbers (docs/reference/plex-api.md §0). Attribute sets follow the real captures in
 * test/fixtures/server/ (identity, root, prefs).
 */
import type { ServerResponse } from 'node:http';
import { renderDocument, type XmlElement } from '../xml-writer.js';
import { FAKE_SETTINGS, typedPrefValue } from './catalogue.js';
import { signInStateOf, type FakePlexServerState } from './state.js';

export type PlexFormat = 'json' | 'xml';

/** Headers every PMS response carries (X-Plex-Protocol: see docs/reference/plex-api.md §0). */
export const PLEX_HEADERS = { 'X-Plex-Protocol': '1.0', 'Cache-Control': 'no-cache' } as const;

const CONTENT_TYPE: Record<PlexFormat, string> = { xml: 'text/xml;charset=utf-8', json: 'application/json' };

/** The body PMS answers a request without a valid token with (docs/reference/plex-api.md §0). */
export const UNAUTHORIZED_HTML =
  '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';

function toJson(element: XmlElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(element.attributes ?? {})) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  for (const child of element.children ?? []) {
    const list = (out[child.name] ??= []) as unknown[];
    list.push(toJson(child));
  }
  return out;
}

export function renderPlex(element: XmlElement, format: PlexFormat): string {
  return format === 'json' ? JSON.stringify({ [element.name]: toJson(element) }) : renderDocument(element);
}

export function sendPlex(response: ServerResponse, element: XmlElement, format: PlexFormat, status = 200): void {
  const body = renderPlex(element, format);
  response.writeHead(status, {
    ...PLEX_HEADERS,
    'Content-Type': CONTENT_TYPE[format],
    'Content-Length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

export function sendEmpty(response: ServerResponse, status = 200): void {
  response.writeHead(status, { ...PLEX_HEADERS, 'Content-Length': '0' });
  response.end();
}

export function sendHtml(response: ServerResponse, status: number, title: string): void {
  const body = `<html><head><title>${title}</title></head><body><h1>${status} ${title}</h1></body></html>`;
  response.writeHead(status, {
    ...PLEX_HEADERS,
    'Content-Type': 'text/html',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

export function identityElement(state: FakePlexServerState): XmlElement {
  return {
    name: 'MediaContainer',
    attributes: { size: 0, claimed: state.claimed, machineIdentifier: state.machineIdentifier, version: state.version },
  };
}

const ROOT_DIRECTORIES = [
  'activities',
  'butler',
  'channels',
  'clients',
  'devices',
  'diagnostics',
  'hubs',
  'library',
  'media',
  'player',
  'playlists',
  'resources',
  'search',
  'server',
  'servers',
  'statistics',
  'system',
  'transcode',
  'updater',
  'user',
];

export function rootElement(state: FakePlexServerState): XmlElement {
  const signIn = signInStateOf(state);
  const account = state.account;
  return {
    name: 'MediaContainer',
    attributes: {
      size: ROOT_DIRECTORIES.length,
      allowCameraUpload: state.claimed,
      allowChannelAccess: true,
      allowSharing: true,
      allowSync: state.claimed,
      backgroundProcessing: true,
      certificate: state.claimed && signIn === 'ok' ? true : undefined,
      companionProxy: true,
      countryCode: state.claimed ? 'gbr' : '',
      diagnostics: 'logs,databases,streaminglogs',
      eventStream: true,
      friendlyName: state.friendlyName,
      livetv: 7,
      machineIdentifier: state.machineIdentifier,
      musicAnalysis: 2,
      myPlex: true,
      myPlexMappingState: account.mappingState,
      // Only plex-api.rs models it on `/`; we send it when there is an error, as that model suggests.
      myPlexMappingError: account.mappingError || undefined,
      myPlexSigninState: signIn,
      myPlexSubscription: account.subscriptionActive,
      myPlexUsername: state.claimed ? account.username : undefined,
      offlineTranscode: 1,
      platform: state.platform,
      platformVersion: state.platformVersion,
      pluginHost: true,
      pushNotifications: false,
      readOnlyLibraries: false,
      streamingBrainABRVersion: 3,
      streamingBrainVersion: 2,
      sync: true,
      transcoderActiveVideoSessions: 0,
      transcoderVideo: true,
      updatedAt: 1640814847,
      updater: true,
      version: state.version,
      voiceSearch: true,
    },
    children: ROOT_DIRECTORIES.map((key) => ({ name: 'Directory', attributes: { count: 1, key, title: key } })),
  };
}

export function settingsElement(state: FakePlexServerState, ids?: readonly string[]): XmlElement {
  const settings = FAKE_SETTINGS.filter((setting) => ids === undefined || ids.includes(setting.id));
  return {
    name: 'MediaContainer',
    attributes: { size: settings.length },
    children: settings.map((setting) => ({
      name: 'Setting',
      attributes: {
        id: setting.id,
        label: setting.label,
        summary: setting.summary,
        type: setting.type,
        default: setting.default,
        value: typedPrefValue(setting.type, state.prefs[setting.id] ?? ''),
        hidden: setting.hidden,
        advanced: setting.advanced,
        group: setting.group,
        enumValues: setting.enumValues,
      },
    })),
  };
}

/**
 * `<MyPlex …/>` (Tautulli / python-plexapi read this root element). The real response carries the server's
 * `authToken`; so does the fake's, so that clients are tested to drop it. The JSON envelope `{"MyPlex":{…}}` follows
 * the plex-api-spec schema (no real JSON capture exists).
 */
export function accountElement(state: FakePlexServerState, authToken: string): XmlElement {
  const account = state.account;
  const signIn = signInStateOf(state);
  return {
    name: 'MyPlex',
    attributes: {
      authToken: state.claimed ? authToken : '',
      username: state.claimed ? account.username : '',
      mappingState: account.mappingState,
      mappingError: account.mappingError,
      mappingErrorMessage: account.mappingErrorMessage || undefined,
      signInState: signIn,
      publicAddress: account.publicAddress,
      publicPort: account.publicPort,
      privateAddress: account.privateAddress,
      privatePort: account.privatePort,
      subscriptionFeatures: account.subscriptionFeatures.join(','),
      subscriptionActive: account.subscriptionActive,
      subscriptionState: account.subscriptionState,
    },
  };
}
