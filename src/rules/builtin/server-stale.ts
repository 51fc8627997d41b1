/**
 * plex.tv's record of the server is out of date: it lists the server offline while the server answers, has not
 * heard from it for a long time, or still shows an older version. A server that stopped talking to plex.tv is not
 * published, so clients outside cannot find its current address. plex.tv's fields: plex-api.md §5.1 (`presence`
 * = online, per Tautulli; `lastSeenAt`; `productVersion`).
 *
 * The only clock a rule has is the snapshot's `createdAt` (this machine's clock), compared with plex.tv's: a wrong
 * clock here makes the age wrong by as much, which is why the age check is never more than medium confidence.
 */
import { z } from 'zod';
import { defineBuiltinRule } from './define-builtin-rule.js';
import type { FactsContext } from '../facts.js';
import type { Confidence, Evidence } from '../types.js';

export const DEFAULT_MAX_AGE_MINUTES = 60;

/**
 * Options of `server-stale` (`ruleConfig: { 'server-stale': { options: { maxAgeMinutes: 180 } } }`). Validated when the
 * rules are resolved: a bad value is a usage error naming the rule and the option, not a silent fall back to 60.
 */
export const ServerStaleOptions = z.strictObject({
  /** How long plex.tv may go without hearing from the server before it counts as stale. @default 60 */
  maxAgeMinutes: z.number().positive().finite().default(DEFAULT_MAX_AGE_MINUTES),
});
export type ServerStaleOptions = z.infer<typeof ServerStaleOptions>;

/** "45 min", "3 h 12 min", "2 days 4 h". */
export function formatAge(minutes: number): string {
  const total = Math.round(minutes);
  if (total < 60) return `${total} min`;
  const hours = Math.floor(total / 60);
  if (hours < 48) return total % 60 ? `${hours} h ${total % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} days ${hours % 24} h` : `${days} days`;
}

function minutesBetween(earlier: string | undefined, later: string): number | undefined {
  if (!earlier) return undefined;
  const from = Date.parse(earlier);
  const to = Date.parse(later);
  return Number.isFinite(from) && Number.isFinite(to) ? (to - from) / 60_000 : undefined;
}

export default defineBuiltinRule({
  id: 'server-stale',
  meta: {
    severity: 'warning',
    category: 'server',
    title: "plex.tv's record of the server is current",
    requires: [],
    uses: ['plextv.resources', 'server.identity', 'probe.connections'],
    options: ServerStaleOptions,
    messages: {
      offline:
        'plex.tv lists "{{name}}" as offline (presence=0){{lastSeen}}, yet the server answers at {{url}}: it is running but not connected to plex.tv, so it is not published.',
      lastSeenOld:
        'plex.tv last heard from "{{name}}" {{age}} before this run (lastSeenAt {{lastSeenAt}}), more than {{maxAgeMinutes}} minutes: its published address may be out of date.',
      clockSkew:
        "The server's clock is {{skew}} {{direction}} this machine's (its Date header said {{serverDate}}, this run began {{collectedAt}}): one of the two clocks is wrong, and a wrong clock breaks TLS certificates and sign-in tokens.",
      versionMismatch:
        'plex.tv still lists "{{name}}" as version {{plexTvVersion}} while the server runs {{serverVersion}}: it has not re-published itself to plex.tv since it changed.',
    },
    fixes: {
      syncClock:
        'Turn on network time on the machine whose clock is wrong: Linux `sudo timedatectl set-ntp true` (then `timedatectl` shows "System clock synchronized: yes"), Windows Settings → Time & language → Sync now, a NAS its NTP setting; Docker containers use the host\'s clock.',
      reconnect:
        'On the server, check that it reaches plex.tv (`curl -sS https://plex.tv/:/ip` prints your public address), then restart Plex Media Server so it signs in to plex.tv again: `sudo systemctl restart plexmediaserver` (Linux), `docker restart <container>` (Docker), or quit it from the tray/menu bar and start it again (Windows/macOS).',
      republish:
        'Restart Plex Media Server once so it publishes itself to plex.tv again: `sudo systemctl restart plexmediaserver` (Linux), `docker restart <container>` (Docker), or quit and start it from the tray/menu bar (Windows/macOS). If the version stays old, check that the server reaches plex.tv.',
    },
  },
  evaluate(ctx) {
    const { maxAgeMinutes } = ctx.options;
    const skew = clockSkew(ctx);
    if (skew) {
      ctx.report({
        messageId: 'clockSkew',
        data: {
          skew: formatAge(Math.abs(skew.minutes)),
          direction: skew.minutes > 0 ? 'behind' : 'ahead of',
          serverDate: skew.serverDate,
          collectedAt: ctx.snapshot.createdAt,
        },
        evidence: [
          {
            source: 'probe.connections',
            observed: `Date: ${skew.serverDate} from ${skew.uri}/identity`,
            expected: `about ${ctx.snapshot.createdAt}`,
          },
        ],
        // Which of the two clocks is wrong cannot be told from here.
        confidence: 'medium',
        fix: { fixId: 'syncClock' },
      });
    }
    const device = ctx.get('plextv.resources')?.server;
    if (!device) {
      ctx.notChecked({
        reason: "plex.tv's record of this server was not read",
        howToCheck: 'give a token (--token or PLEX_TOKEN) and drop --no-plextv',
      });
      return;
    }
    const identity = ctx.get('server.identity');
    // A record of some other server says nothing about this one.
    if (identity && identity.machineIdentifier !== device.clientIdentifier) {
      ctx.notChecked({ reason: "plex.tv's record found belongs to another server" });
      return;
    }
    const name = device.name || device.clientIdentifier;
    const url = (ctx.snapshot.target.url ?? '').replace(/\/+$/, '');
    const age = minutesBetween(device.lastSeenAt, ctx.snapshot.createdAt);
    const lastSeenEvidence: Evidence[] = device.lastSeenAt
      ? [
          {
            source: 'plextv.resources',
            observed: `lastSeenAt=${device.lastSeenAt}${age !== undefined ? ` (${formatAge(Math.max(age, 0))} before this run at ${ctx.snapshot.createdAt})` : ''}`,
          },
        ]
      : [];

    if (identity && device.presence === false) {
      ctx.report({
        messageId: 'offline',
        data: {
          name,
          url,
          lastSeen:
            device.lastSeenAt && age !== undefined && age > 0 ? `, last seen ${formatAge(age)} before this run` : '',
        },
        evidence: [
          { source: 'plextv.resources', observed: 'presence=0', expected: 'presence=1' },
          ...lastSeenEvidence,
          { source: 'server.identity', observed: `the server answers at ${url} as ${identity.machineIdentifier}` },
        ],
        confidence: 'high',
        fix: { fixId: 'reconnect' },
      });
    } else if (age !== undefined && age > maxAgeMinutes) {
      // With presence=1 plex.tv still counts the server as connected, and how often it refreshes lastSeenAt for a
      // connected server is not documented: then the age alone is weak evidence.
      const confidence: Confidence = device.presence === true ? 'low' : 'medium';
      ctx.report({
        messageId: 'lastSeenOld',
        data: { name, age: formatAge(age), lastSeenAt: device.lastSeenAt, maxAgeMinutes },
        evidence: [
          { ...lastSeenEvidence[0]!, expected: `within ${maxAgeMinutes} minutes` },
          {
            source: 'plextv.resources',
            observed: `presence=${device.presence === undefined ? '(absent)' : device.presence ? '1' : '0'}`,
          },
        ],
        confidence,
        fix: { fixId: 'reconnect' },
      });
    }

    if (identity?.version && device.productVersion && identity.version !== device.productVersion) {
      ctx.report({
        messageId: 'versionMismatch',
        data: { name, plexTvVersion: device.productVersion, serverVersion: identity.version },
        evidence: [
          { source: 'plextv.resources', observed: `productVersion=${device.productVersion}` },
          { source: 'server.identity', observed: `version=${identity.version}` },
        ],
        // Harmless right after an update (the server re-publishes within minutes), so only a hint.
        confidence: 'low',
        fix: { fixId: 'republish' },
      });
    }
    // Current: plex.tv counts it present, and the server it names is the one that answered here.
    if (identity && device.presence === true)
      ctx.pass({
        evidence: [
          {
            source: 'plextv.resources',
            observed: `presence=1${device.lastSeenAt ? `, lastSeenAt=${device.lastSeenAt}` : ''}`,
          },
          { source: 'server.identity', observed: `the server answers as ${identity.machineIdentifier}` },
        ],
      });
  },
});

/** Past this, certificates and tokens start to fail; below it, probe timing and rounding explain the difference. */
const MAX_CLOCK_SKEW_MINUTES = 5;

/** The server's Date header, read where /identity answered as this server, against the run's own clock. */
function clockSkew(ctx: FactsContext): { minutes: number; serverDate: string; uri: string } | undefined {
  const answered = ctx
    .get('probe.connections')
    ?.connections.find(
      (c) => c.identity?.status === 'ok' && c.identity.value.identityMatches !== false && c.identity.value.serverDate,
    );
  const serverDate = answered?.identity?.status === 'ok' ? answered.identity.value.serverDate : undefined;
  // minutesBetween(a, b) is b - a: positive when the server's clock is behind.
  const minutes = serverDate ? minutesBetween(serverDate, ctx.snapshot.createdAt) : undefined;
  if (!answered || !serverDate || minutes === undefined || Math.abs(minutes) <= MAX_CLOCK_SKEW_MINUTES)
    return undefined;
  return { minutes, serverDate, uri: answered.uri };
}
