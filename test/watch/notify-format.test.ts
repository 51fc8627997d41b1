import { describe, expect, it } from 'vitest';
import { detectFormat, headerValue } from '../../src/watch/notify-format.js';

describe('detectFormat', () => {
  it.each([
    ['https://discord.com/api/webhooks/123/abc', 'discord'],
    ['https://discordapp.com/api/webhooks/123/abc', 'discord'],
    ['https://canary.discord.com/api/webhooks/123/abc', 'discord'],
    ['https://discord.com/channels/1/2', 'json'], // not a webhook path
    ['https://hooks.slack.com/services/T000/B000/XXXX', 'slack'],
    ['https://ntfy.sh/my-plex-alerts', 'ntfy'],
    ['https://ntfy.example.org/plex', 'ntfy'],
    ['https://myntfy.example.org/plex', 'json'], // only a first label of exactly "ntfy"
    ['https://push.home.lan/plex#ntfy', 'ntfy'],
    ['https://ntfy.sh/plex#json', 'json'],
    ['https://example.com/hook#SLACK', 'slack'],
    ['https://example.com/hook#unknown', 'json'],
    ['http://192.168.1.5:8080/webhook', 'json'],
  ])('%s → %s', (url, format) => {
    expect(detectFormat(new URL(url))).toBe(format);
  });
});

describe('headerValue', () => {
  it('keeps printable ASCII, flattens line breaks (no header injection), encodes the rest', () => {
    expect(headerValue('Plex problem: port 32400')).toBe('Plex problem: port 32400');
    expect(headerValue('a\r\nX-Injected: 1')).toBe('a X-Injected: 1');
    expect(headerValue('Café')).toBe(`=?UTF-8?B?${Buffer.from('Café').toString('base64')}?=`);
  });
});
