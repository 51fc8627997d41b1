/**
 * HTML escaping for everything the status page serves. Server names, messages and addresses come from the network and
 * are untrusted: every interpolated string passes `html()` (or `attr()` inside attribute values), which also
 * neutralises control characters the way the terminal output does (a C0/C1 control or a bidi override becomes
 * U+FFFD, so nothing can reorder or hide the text around it) and scrubs token shapes.
 *
 * This is a local copy of the escaping the terminal and markdown outputs share (issue 15's src/core/escape.ts): it must
 * stay in sync with it, and give way to it once that module lands on main.
 */
import { redactText } from '../core/redact.js';

// C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides/isolates (Trojan Source).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Untrusted text, made inert: controls neutralised, token shapes redacted, HTML metacharacters escaped. */
export function html(value: unknown): string {
  const text = textOf(value);
  return redactText(text.replace(UNSAFE, '\uFFFD')).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Same as `html()`: quotes are escaped too, so the result is safe inside a double- or single-quoted attribute. */
export const attr = html;
