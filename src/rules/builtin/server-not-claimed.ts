/**
 * A server that belongs to no account, or whose sign-in is gone, cannot publish itself to plex.tv: remote access
 * cannot work whatever the network does. Evidence: /identity `claimed`, the root's `myPlex`/`myPlexSigninState` and
 * /myplex/account `signInState` (value sets in plex-api.md §1-3; `none` = never claimed or signed out).
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { targetEndpoint } from '../facts.js';
import type { Confidence, Evidence } from '../types.js';

interface SignInReading {
  state: string;
  source: 'server.account' | 'server.root';
  field: 'signInState' | 'myPlexSigninState';
}

export default defineBuiltinRule({
  id: 'server-not-claimed',
  meta: {
    severity: 'error',
    category: 'account',
    title: 'The server is claimed and signed in to plex.tv',
    hop: 'internet',
    requires: [],
    uses: ['server.identity', 'server.root', 'server.account'],
    messages: {
      notClaimed:
        'The server is not claimed (/identity claimed=0): it belongs to no Plex account, so it cannot publish itself to plex.tv and remote access cannot work.',
      signedOut:
        'The server is not signed in to plex.tv ({{field}}={{state}}): it cannot publish itself, so remote access cannot work.',
      signInInvalid:
        'The server\'s plex.tv sign-in is no longer valid ({{field}}=invalid): its plex.tv token was revoked, e.g. by a password change with "sign out of all devices".',
    },
    fixes: {
      claim:
        'Claim it from the server itself: open http://127.0.0.1:32400/web in a browser on the server and sign in with your Plex account. From another computer, tunnel first: `ssh -L 32400:127.0.0.1:32400 <user>@{{host}}`, then open http://localhost:32400/web. Docker: recreate the container with `-e PLEX_CLAIM=<token>` from https://plex.tv/claim (a claim token is valid for 4 minutes).',
      signIn:
        "Sign the server in again from the server itself: open http://127.0.0.1:32400/web on it (from another computer: `ssh -L 32400:127.0.0.1:32400 <user>@{{host}}`, then http://localhost:32400/web), sign in with the owner's account and claim the server when Plex offers it. Docker: recreate the container with `-e PLEX_CLAIM=<token>` from https://plex.tv/claim (valid for 4 minutes).",
    },
    explains: ['mapping-failed', 'remote-access-disabled', 'relay-only', 'server-stale'],
  },
  evaluate(ctx) {
    const identity = ctx.get('server.identity');
    const root = ctx.get('server.root');
    const account = ctx.get('server.account');
    const host = targetEndpoint(ctx)?.host ?? '<server>';

    // /myplex/account is the server's own account view, so it goes first; the root repeats the same state.
    const readings: SignInReading[] = [];
    if (account?.signInState)
      readings.push({ state: account.signInState, source: 'server.account', field: 'signInState' });
    if (root?.myPlexSigninState)
      readings.push({ state: root.myPlexSigninState, source: 'server.root', field: 'myPlexSigninState' });
    const readingEvidence: Evidence[] = readings.map((r) => ({
      source: r.source,
      observed: `${r.field}=${r.state}`,
      expected: `${r.field}=ok`,
    }));

    if (identity?.claimed === false) {
      ctx.report({
        messageId: 'notClaimed',
        evidence: [{ source: 'server.identity', observed: 'claimed=0', expected: 'claimed=1' }, ...readingEvidence],
        confidence: 'high',
        fix: { fixId: 'claim', data: { host } },
      });
      return;
    }

    const reading = readings[0];
    // Sources that disagree (one says ok, another not) make the finding less certain, not wrong.
    const agreed = readings.every((r) => r.state === reading?.state);
    const claimedEvidence: Evidence[] =
      identity?.claimed === true ? [{ source: 'server.identity', observed: 'claimed=1' }] : [];
    if (reading?.state === 'invalid') {
      ctx.report({
        messageId: 'signInInvalid',
        data: { field: reading.field },
        evidence: [...readingEvidence, ...claimedEvidence],
        confidence: agreed ? 'high' : 'medium',
        fix: { fixId: 'signIn', data: { host } },
      });
      return;
    }
    if (reading?.state === 'none') {
      // `none` also means "never claimed": only a claimed=1 from /identity makes it certainly a sign-out.
      const confidence: Confidence = agreed && identity?.claimed === true ? 'high' : 'medium';
      ctx.report({
        messageId: 'signedOut',
        data: { field: reading.field, state: reading.state },
        evidence: [...readingEvidence, ...claimedEvidence],
        confidence,
        fix: { fixId: 'signIn', data: { host } },
      });
      return;
    }
    if (!reading && root?.myPlex === false && identity?.claimed === true) {
      ctx.report({
        messageId: 'signedOut',
        data: { field: 'myPlex', state: '0' },
        evidence: [
          { source: 'server.root', observed: 'myPlex=0 (no sign-in state given)', expected: 'myPlex=1' },
          ...claimedEvidence,
        ],
        confidence: 'medium',
        fix: { fixId: 'signIn', data: { host } },
      });
      return;
    }
    // Signed in only when the server says so (signInState/myPlexSigninState=ok); a claimed=1 alone says who owns it.
    if (reading?.state === 'ok' && agreed) {
      ctx.pass({
        evidence: [...readingEvidence.map((e) => ({ source: e.source, observed: e.observed })), ...claimedEvidence],
      });
      return;
    }
    ctx.notChecked({
      reason:
        readings.length === 0
          ? 'the server did not say whether it is signed in to plex.tv'
          : `sign-in state ${reading?.state ?? '?'} is not decided`,
      howToCheck: 'give a token (--token or PLEX_TOKEN): the server tells its sign-in state only to its owner',
    });
  },
});
