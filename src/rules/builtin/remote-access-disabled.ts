/**
 * Remote access is switched off: `PublishServerOnPlexOnlineKey` (hidden pref, "Publish server on Plex Online";
 * Tautulli reads it as "remote access enabled", docs/reference/plex-api.md §4) is false, so the server does not publish
 * its address to plex.tv and no client outside the LAN can find it, whatever the router does.
 */
import { defineBuiltinRule } from './define-builtin-rule.js';
import { mappingState } from '../facts.js';
import type { Evidence } from '../types.js';

export default defineBuiltinRule({
  id: 'remote-access-disabled',
  meta: {
    severity: 'error',
    category: 'remote-access',
    title: 'Remote access is enabled on the server',
    hop: 'internet',
    requires: ['server.prefs'],
    uses: ['server.account', 'server.root'],
    messages: {
      disabled:
        'Remote access is turned off (PublishServerOnPlexOnlineKey=0): the server does not publish itself to plex.tv, so nobody outside your network can find it.',
    },
    fixes: {
      enable:
        'In Plex Web on the server: Settings → Remote Access → Enable Remote Access (or let `plex-diagnose fix` set PublishServerOnPlexOnlineKey=1). Then run plex-diagnose again: Plex tests the port, and the other checks say what, if anything, still blocks it.',
    },
    decides: 'remote-access-enabled',
    explains: [
      'mapping-failed',
      'relay-only',
      'no-port-forward',
      'isp-blocks-port',
      'manual-port-mismatch',
      'custom-url-problem',
      'outside-reachability',
    ],
  },
  evaluate(ctx) {
    const published = ctx.get('server.prefs')?.network?.PublishServerOnPlexOnlineKey;
    // Absent (an old or unusual server): not checked, not a guess.
    if (published === undefined) {
      ctx.notChecked({
        reason: 'the server has no PublishServerOnPlexOnlineKey setting',
        howToCheck: 'look at Settings → Remote Access: is it enabled?',
      });
      return;
    }
    if (published) {
      ctx.pass({ evidence: [{ source: 'server.prefs', observed: 'PublishServerOnPlexOnlineKey=1' }] });
      return;
    }
    const evidence: Evidence[] = [
      {
        source: 'server.prefs',
        observed: 'PublishServerOnPlexOnlineKey=0',
        expected: 'PublishServerOnPlexOnlineKey=1',
      },
    ];
    const mapping = mappingState(ctx);
    if (mapping?.state) evidence.push({ source: mapping.source, observed: `mappingState=${mapping.state}` });
    ctx.report({
      messageId: 'disabled',
      evidence,
      confidence: 'high',
      fix: { fixId: 'enable', actions: [{ type: 'set-pref', pref: 'PublishServerOnPlexOnlineKey', value: true }] },
    });
  },
});
