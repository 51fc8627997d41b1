/**
 * A forward alert through every notify path: each webhook format carries which forward broke and since when (Slack
 * and Discord escaped as for any alert), ntfy marks a recovery at default priority, and an --exec command gets the
 * forward and the time in its environment, the secrets still removed.
 */
import { describe, expect, it } from 'vitest';
import { Alert } from '../../src/watch/alert.js';
import { alertEnvironment } from '../../src/watch/exec.js';
import { createForwardWatch } from '../../src/watch/forward-watch.js';
import { buildPayload } from '../../src/watch/notify-format.js';
import { at, outsideReport } from './forward-helpers.js';

const signal = new AbortController().signal;

async function forwardAlerts(): Promise<{ broken: Alert; recovered: Alert }> {
  const watch = createForwardWatch({
    forwards: [{ externalPort: 2222, host: '192.168.1.10', internalPort: 22, label: 'ssh & <b>more</b>' }],
    debounce: 1,
    probeLan: () => Promise.resolve('open'),
  });
  await watch.observe({ report: outsideReport({ ports: { 2222: 'open' } }) }, at(1), signal);
  const [broken] = await watch.observe({ report: outsideReport({ ports: { 2222: 'refused' } }) }, at(2), signal);
  const [recovered] = await watch.observe({ report: outsideReport({ ports: { 2222: 'open' } }) }, at(3), signal);
  return { broken: Alert.parse(broken), recovered: Alert.parse(recovered) };
}

describe('forward alerts through the notifiers', () => {
  it('every format names the forward and since when', async () => {
    const { broken } = await forwardAlerts();
    const json = JSON.parse(buildPayload('json', broken).body) as Alert;
    expect(json.forward).toMatchObject({ externalPort: 2222, since: at(2), cause: 'not-forwarded' });
    const discord = JSON.parse(buildPayload('discord', broken).body) as {
      content: string;
      embeds: { title: string }[];
    };
    expect(discord.content).toContain(
      `port 2222 → 192.168.1.10:22 (ssh & <b>more</b>), refused from outside since ${at(2)}`,
    );
    expect(discord.embeds[0]!.title).toBe('Port forward broken');
    const slack = JSON.parse(buildPayload('slack', broken).body) as { text: string; blocks: unknown[] };
    expect(slack.text).toContain('port 2222 → 192.168.1.10:22');
    expect(JSON.stringify(slack.blocks)).toContain('Port forward broken');
    const ntfy = buildPayload('ntfy', broken);
    expect(ntfy.headers.priority).toBe('high');
    // A non-ASCII title (the arrow) travels RFC 2047-encoded.
    const title = /^=\?UTF-8\?B\?(.*)\?=$/.exec(ntfy.headers.title!)?.[1];
    expect(Buffer.from(title ?? '', 'base64').toString('utf8')).toContain('port 2222 → 192.168.1.10:22');
    expect(ntfy.body).toContain("Check the router's forward of port 2222 to 192.168.1.10:22");
  });

  it('a recovery is default priority on ntfy and says when it had broken', async () => {
    const { recovered } = await forwardAlerts();
    const ntfy = buildPayload('ntfy', recovered);
    expect(ntfy.headers.priority).toBe('default');
    expect(ntfy.body).toContain(`broken since ${at(2)}`);
  });

  it('--exec gets the forward and since, and still no secret', async () => {
    const { broken } = await forwardAlerts();
    const env = alertEnvironment(broken, { PATH: '/bin', PLEX_TOKEN: 'tok', PLEX_DIAGNOSE_REFLECTOR_SECRET: 's' });
    expect(env.PLEX_DIAGNOSE_ALERT_KIND).toBe('forward-broken');
    expect(env.PLEX_DIAGNOSE_ALERT_FORWARD).toBe('port 2222 → 192.168.1.10:22 (ssh & <b>more</b>)');
    expect(env.PLEX_DIAGNOSE_ALERT_SINCE).toBe(at(2));
    expect(env.PLEX_DIAGNOSE_ALERT_RULE).toBe('forward-watch');
    expect(env.PLEX_TOKEN).toBeUndefined();
    expect(env.PLEX_DIAGNOSE_REFLECTOR_SECRET).toBeUndefined();
  });
});
