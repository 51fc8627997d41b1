/**
 * The token we were given does not open what it should. Told apart by who refused and how: the server's 401 (the
 * token is unknown to it), its 403 (a real token, but not the owner's: /:/prefs and /myplex/account are the owner's),
 * plex.tv's 401 (`{"errors":[{"code":1001,"message":"User could not be authenticated"}]}`, plex-api.md §0).
 */
import type { ObservationError } from '../../core/observation.js';
import { defineBuiltinRule } from './define-builtin-rule.js';
import type { Confidence, Evidence } from '../types.js';

const SERVER_CALLS = {
  'server.root': 'GET /',
  'server.prefs': 'GET /:/prefs',
  'server.account': 'GET /myplex/account',
} as const;
const PLEXTV_CALLS = { 'plextv.user': 'plex.tv api/v2/user', 'plextv.resources': 'plex.tv api/v2/resources' } as const;

interface AuthFailure {
  id: string;
  call: string;
  status?: number;
  error: ObservationError;
}

/** src/http/api-client.ts words a 401 this way when a redirect to another origin dropped the token on purpose. */
const TOKEN_NOT_FORWARDED = /token was not forwarded/;

/** plex.tv's structured error, from the stored error when it carries `plexErrors`, else from the message. */
function plexTvError(error: ObservationError): string {
  const entries = (error as { plexErrors?: unknown }).plexErrors;
  if (Array.isArray(entries)) {
    const first = entries.find((e): e is { code?: number; message?: string } => typeof e === 'object' && e !== null);
    if (first?.code !== undefined || first?.message)
      return `: code ${first.code ?? '?'}${first.message ? ` "${first.message}"` : ''}`;
  }
  return /User could not be authenticated/.test(error.message) ? ': "User could not be authenticated"' : '';
}

export default defineBuiltinRule({
  id: 'token-rejected',
  meta: {
    severity: 'error',
    category: 'account',
    title: 'The Plex token is accepted by the server and plex.tv',
    requires: [],
    uses: ['server.root', 'server.prefs', 'server.account', 'plextv.user', 'plextv.resources'],
    messages: {
      plexTvRejected:
        'plex.tv rejected the token (HTTP {{status}}{{plexError}}): it is mistyped, expired or revoked (a password change with "sign out of all devices" revokes tokens).',
      serverRejected: 'The server rejected the token (HTTP 401 on {{calls}}){{detail}}.',
      notOwner:
        "The token is valid but not the server owner's (HTTP 403 on {{calls}}): /:/prefs and /myplex/account need the owner's (admin) token; a managed or shared user's token will not do.",
      tokenNotForwarded:
        'The server redirected {{calls}} to another address, and plex-diagnose did not send the token there (it never forwards a token to another origin): the token itself may be fine.',
    },
    fixes: {
      newToken:
        "Get a fresh token with `plex-diagnose login` (it signs in through plex.tv in your browser and stores the token in a file only you can read). Or run plex-diagnose on the server itself with read access to Plex's data (e.g. `sudo plex-diagnose`): it then reads the server's own token (`PlexOnlineToken` in Preferences.xml) without printing it.",
      ownerToken:
        "Use the server owner's token: `plex-diagnose login` signed in as the owner, or run plex-diagnose on the server itself (e.g. `sudo plex-diagnose`), where it reads the owner's token (`PlexOnlineToken` in Preferences.xml) without printing it.",
      directUrl:
        'Point plex-diagnose at the address the server redirects to (`curl -sI {{url}}/identity` shows the Location), e.g. `--url http://<server LAN IP>:32400`.',
    },
  },
  evaluate(ctx) {
    // A token that was never sent cannot be rejected; token-less 401s are recorded as skipped, not failed.
    if (!ctx.snapshot.context.tokenProvided) {
      ctx.notChecked({ reason: 'no token was given', howToCheck: 'give a token (--token or PLEX_TOKEN)' });
      return;
    }
    const authFailures = (calls: Record<string, string>): AuthFailure[] =>
      Object.entries(calls).flatMap(([id, call]) => {
        const observation = ctx.observation(id);
        if (observation?.status !== 'failed' || observation.error.code !== 'PLEXDIAG_AUTH') return [];
        return [{ id, call, status: observation.error.status, error: observation.error }];
      });
    const server = authFailures(SERVER_CALLS);
    const plexTv = authFailures(PLEXTV_CALLS);
    const evidenceOf = (failures: AuthFailure[]): Evidence[] =>
      failures.map((f) => ({
        source: f.id,
        observed: `${f.call}: HTTP ${f.status ?? '?'}: ${f.error.message}`,
        expected: 'HTTP 200',
      }));
    const callsOf = (failures: AuthFailure[]): string => failures.map((f) => f.call).join(', ');

    if (plexTv.length > 0) {
      // plex.tv is the authority on tokens: if it refuses, the server's refusals have the same cause.
      const first = plexTv[0]!;
      const confidence: Confidence = plexTv.some((f) => f.id === 'plextv.user') ? 'high' : 'medium';
      ctx.report({
        messageId: 'plexTvRejected',
        data: { status: first.status ?? '?', plexError: plexTvError(first.error) },
        evidence: evidenceOf([...plexTv, ...server]),
        confidence,
        fix: { fixId: 'newToken' },
      });
      return;
    }

    const rejected = server.filter((f) => f.status === 401 && !TOKEN_NOT_FORWARDED.test(f.error.message));
    const dropped = server.filter((f) => f.status === 401 && TOKEN_NOT_FORWARDED.test(f.error.message));
    const forbidden = server.filter((f) => f.status === 403);
    const user = ctx.get('plextv.user');
    const resources = ctx.get('plextv.resources');

    if (rejected.length > 0) {
      const evidence = evidenceOf(rejected);
      let detail = ': it is mistyped, expired, or belongs to an account this server does not know';
      if (user) {
        evidence.push({
          source: 'plextv.user',
          observed: `plex.tv accepts the token (account ${user.username ?? user.title ?? user.id})`,
        });
        detail = ': plex.tv accepts it, so it belongs to a real account, but not one this server lets in';
        if (resources && resources.matchedBy === 'none') {
          evidence.push({
            source: 'plextv.resources',
            observed: `this server is not among the account's ${resources.servers.length} server(s)`,
          });
          detail += " (the server is not among that account's servers)";
        }
      }
      ctx.report({
        messageId: 'serverRejected',
        data: { calls: callsOf(rejected), detail },
        evidence,
        confidence: 'high',
        fix: { fixId: 'newToken' },
      });
      return;
    }

    if (forbidden.length > 0) {
      const evidence = evidenceOf(forbidden);
      const owned = resources?.server?.owned;
      if (owned === false)
        evidence.push({
          source: 'plextv.resources',
          observed: 'the account sees this server as shared with it (owned=0)',
          expected: 'owned=1',
        });
      // 403 alone is how PMS refuses a non-owner, but other refusals look the same; plex.tv's owned=0 makes it certain.
      ctx.report({
        messageId: 'notOwner',
        data: { calls: callsOf(forbidden) },
        evidence,
        confidence: owned === false ? 'high' : 'medium',
        fix: { fixId: 'ownerToken' },
      });
      return;
    }

    if (dropped.length > 0) {
      const url = (ctx.snapshot.target.url ?? '').replace(/\/+$/, '');
      ctx.report({
        messageId: 'tokenNotForwarded',
        data: { calls: callsOf(dropped) },
        evidence: evidenceOf(dropped),
        confidence: 'high',
        fix: { fixId: 'directUrl', data: { url } },
      });
      return;
    }
    // Passed only where the token was actually accepted: a call that needs it answered.
    const accepted = [...Object.entries(SERVER_CALLS), ...Object.entries(PLEXTV_CALLS)].filter(
      ([id]) => ctx.observation(id)?.status === 'ok',
    );
    if (accepted.length > 0) {
      ctx.pass({
        evidence: accepted.map(([id, call]) => ({ source: id, observed: `${call} answered with the token` })),
      });
      return;
    }
    ctx.notChecked({
      reason: 'no call that needs the token answered',
      howToCheck: 'make the server and plex.tv reachable, then run again',
    });
  },
});
