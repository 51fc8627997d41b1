/**
 * Alert → webhook request body, by service. The service is recognised from the URL:
 * - Discord: discord.com / discordapp.com (and ptb./canary.) with a path under /api/webhooks/
 *   → `{ content, embeds: [{ title, description, color, fields }] }` within Discord's limits
 *   (https://discord.com/developers/docs/resources/message#embed-object-embed-limits), mentions disabled.
 * - Slack incoming webhooks: hooks.slack.com → `{ text, blocks }` (https://api.slack.com/messaging/webhooks).
 * - ntfy: host ntfy.sh or any host whose first label is "ntfy" (ntfy.example.org) → a plain-text body with Title,
 *   Priority and Tags headers (https://docs.ntfy.sh/publish/).
 * - Anything else: the Alert itself as JSON.
 * A self-hosted ntfy (or any service) on another host name is chosen with a URL fragment: `https://push.lan/alerts#ntfy`
 * (also #discord, #slack, #json). Fragments are never sent to the server, so the hint cannot change the request.
 */
import type { Alert, AlertCause, AlertKind } from './alert.js';

export type NotifyFormat = 'discord' | 'slack' | 'ntfy' | 'json';
const FORMATS: readonly NotifyFormat[] = ['discord', 'slack', 'ntfy', 'json'];

export interface NotifyPayload {
  headers: Record<string, string>;
  body: string;
}

const DISCORD_HOSTS = new Set([
  'discord.com',
  'discordapp.com',
  'ptb.discord.com',
  'canary.discord.com',
  'ptb.discordapp.com',
  'canary.discordapp.com',
]);

export function detectFormat(url: URL): NotifyFormat {
  const hint = url.hash.replace(/^#/, '').toLowerCase();
  if ((FORMATS as readonly string[]).includes(hint)) return hint as NotifyFormat;
  const host = url.hostname.toLowerCase();
  if (DISCORD_HOSTS.has(host) && url.pathname.startsWith('/api/webhooks/')) return 'discord';
  if (host === 'hooks.slack.com') return 'slack';
  if (host === 'ntfy.sh' || host.startsWith('ntfy.')) return 'ntfy';
  return 'json';
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const KIND_TITLE: Record<AlertKind, string> = {
  problem: 'Plex remote access problem',
  changed: 'Plex remote access problem changed',
  recovered: 'Plex remote access recovered',
  unavailable: 'Plex diagnosis unavailable',
  'forward-broken': 'Port forward broken',
  'forward-recovered': 'Port forward recovered',
  'outside-unavailable': 'Outside checks unavailable',
};

function causeText(cause: AlertCause): string {
  return cause.fix ? `${cause.message}\nFix: ${cause.fix}` : cause.message;
}

/** The body text shared by the plain formats: the causes with their fixes, or the error, or the all-clear. */
export function alertText(alert: Alert): string {
  if (alert.kind === 'unavailable') return `The diagnosis itself failed: ${alert.error?.message ?? 'unknown error'}`;
  if (alert.kind === 'outside-unavailable')
    return `No forward was checked from outside: ${alert.error?.message ?? 'the reflector did not answer'}`;
  if (alert.kind === 'forward-recovered') return alert.summary;
  if (alert.causes.length === 0) return 'No problems found.';
  return alert.causes.map((cause) => `[${cause.severity}] ${causeText(cause)}`).join('\n\n');
}

// Discord colours: red, orange, green, grey.
const DISCORD_COLOR: Record<AlertKind, number> = {
  problem: 0xe74c3c,
  changed: 0xe67e22,
  recovered: 0x2ecc71,
  unavailable: 0x95a5a6,
  'forward-broken': 0xe74c3c,
  'forward-recovered': 0x2ecc71,
  'outside-unavailable': 0x95a5a6,
};
const DISCORD_EMBED_BUDGET = 5500; // the real limit is 6000 characters over every embed field together

function discordBody(alert: Alert): unknown {
  const title = truncate(KIND_TITLE[alert.kind] + (alert.target?.name ? `: ${alert.target.name}` : ''), 256);
  const count = alert.causes.length;
  const server = alert.target?.url ? ` on ${alert.target.url}` : '';
  const description = truncate(
    count === 0 ? alertText(alert) : `${count} root cause${count === 1 ? '' : 's'}${server}, most important first.`,
    4096,
  );
  let used = title.length + description.length;
  const fields: { name: string; value: string }[] = [];
  for (const cause of alert.causes.slice(0, 25)) {
    const field = {
      name: truncate(`${cause.severity}: ${cause.ruleId}`, 256),
      value: truncate(causeText(cause), 1024),
    };
    if (used + field.name.length + field.value.length > DISCORD_EMBED_BUDGET) break;
    used += field.name.length + field.value.length;
    fields.push(field);
  }
  return {
    content: truncate(alert.summary, 2000),
    // Messages quote server names and addresses; never let them ping @everyone or a role.
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        description,
        color: DISCORD_COLOR[alert.kind],
        fields,
        timestamp: alert.at,
        footer: { text: 'plex-diagnose' },
      },
    ],
  };
}

/** Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackBody(alert: Alert): unknown {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(KIND_TITLE[alert.kind], 150) } },
  ];
  if (alert.causes.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(slackEscape(alertText(alert)), 3000) } });
  }
  for (const cause of alert.causes.slice(0, 20)) {
    const fix = cause.fix ? `\n*Fix:* ${slackEscape(cause.fix)}` : '';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*${cause.severity}* · \`${cause.ruleId}\`\n${slackEscape(cause.message)}${fix}`, 3000),
      },
    });
  }
  const where = alert.target?.name ? `${slackEscape(alert.target.name)} · ` : '';
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(`${where}${alert.at} · plex-diagnose`, 3000) }],
  });
  return { text: truncate(alert.summary, 3000), blocks };
}

/** HTTP header values must be Latin-1 without control characters; ntfy decodes RFC 2047 for the rest. */
export function headerValue(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(flat)) return flat;
  return `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

const NTFY_TAGS: Record<AlertKind, string> = {
  problem: 'rotating_light,plex',
  changed: 'warning,plex',
  recovered: 'white_check_mark,plex',
  unavailable: 'grey_question,plex',
  'forward-broken': 'rotating_light,plex',
  'forward-recovered': 'white_check_mark,plex',
  'outside-unavailable': 'grey_question,plex',
};

function ntfyPayload(alert: Alert): NotifyPayload {
  return {
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      title: headerValue(truncate(alert.summary, 250)),
      priority: alert.kind === 'recovered' || alert.kind === 'forward-recovered' ? 'default' : 'high',
      tags: NTFY_TAGS[alert.kind],
    },
    // ntfy turns message bodies over 4096 bytes into file attachments; stay under that.
    body: truncateBytes(alertText(alert), 4000),
  };
}

function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let cut = text.slice(0, maxBytes);
  while (Buffer.byteLength(cut, 'utf8') > maxBytes - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export function buildPayload(format: NotifyFormat, alert: Alert): NotifyPayload {
  switch (format) {
    case 'discord':
      return { headers: JSON_HEADERS, body: JSON.stringify(discordBody(alert)) };
    case 'slack':
      return { headers: JSON_HEADERS, body: JSON.stringify(slackBody(alert)) };
    case 'ntfy':
      return ntfyPayload(alert);
    case 'json':
      return { headers: JSON_HEADERS, body: JSON.stringify(alert) };
  }
}
