/**
 * HTML escaping for everything the status page serves. Server names, messages and addresses come from the network and
 * are untrusted: every interpolated string passes `html()` (or `attr()` inside attribute values): the one output
 * escaping of src/core/escape.ts (controls and bidi overrides shown as inert `\uXXXX` text, HTML metacharacters
 * escaped), plus token shapes redacted.
 */
import { escapeHtml } from '../core/escape.js';
import { redactText } from '../core/redact.js';

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Untrusted text, made inert: controls neutralised, token shapes redacted, HTML metacharacters escaped. */
export function html(value: unknown): string {
  return escapeHtml(redactText(textOf(value)));
}

/** Same as `html()`: quotes are escaped too, so the result is safe inside a double- or single-quoted attribute. */
export const attr = html;
