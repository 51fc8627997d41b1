/**
 * The pages the phone sees: self-contained (no script, no external asset, one inline style the CSP allows by hash),
 * every interpolated value escaped. The 404 is bland on purpose: a scanner learns nothing about what listens.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../../core/escape.js';

const STYLE =
  'body{font:18px/1.5 system-ui,sans-serif;margin:2em auto;max-width:32em;padding:0 1em}h1{font-size:1.6em}.ok{color:#176b2c}.no{color:#9a3412}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Headers of every answer: no caching, no framing, no sniffing, no referrer (the URL holds the nonce). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  connection: 'close',
};

function page(title: string, cls: 'ok' | 'no', paragraphs: readonly string[]): string {
  const body = paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n');
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n` +
    `<body><h1 class="${cls}">${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`
  );
}

export function workedPage(source: string): string {
  return page('It worked: your home is reachable from outside', 'ok', [
    `This phone reached your computer through your router from the internet (it came from ${source}).`,
    'You can close this page. The check on your computer has finished and stopped listening.',
  ]);
}

export function insidePage(source: string, hairpin: boolean): string {
  return page('This came from inside your network', 'no', [
    hairpin
      ? `This visit came from your home's own public address (${source}): the router looped it back, which proves nothing about the internet.`
      : `This visit came from ${source}, an address inside your network (or a VPN), not from the internet.`,
    'Turn off Wi-Fi on this phone so it uses mobile data, then open the same link again. The check is still waiting.',
  ]);
}

export const NOT_FOUND_BODY = 'Not found\n';
