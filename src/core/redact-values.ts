/**
 * Redaction of snapshots and reports before they leave the machine. The token is always removed (by key and by
 * shape, and any literal secrets given); with `ips`, addresses are anonymised consistently (see anonymize-ips.ts).
 */
import type { Snapshot } from './snapshot.js';
import { createTextRedactor } from './redact.js';
import { createIpAnonymizer } from './anonymize-ips.js';
import type { Report } from './report.js';

export interface RedactOptions {
  /** Anonymise IP addresses and plex.direct hashes, keeping relations and classes. @default false */
  ips?: boolean;
  /** Literal secrets to scrub wherever they appear (the token in use). */
  secrets?: readonly string[];
  /** HMAC key for IP anonymisation, to make the mapping reproducible. @default random per call */
  key?: Buffer;
  /**
   * With `ips`: public addresses become documentation addresses (203.0.113.x, 2001:db8::/32) instead of other public
   * addresses, which may be somebody's real one. For reports people read; snapshots keep the class rules read.
   * @default false
   */
  documentationAddresses?: boolean;
}

// Keys whose values are credentials: dropped outright, whatever their value looks like.
const SECRET_KEYS =
  /^(x-plex-token|authtoken|accesstoken|authenticationtoken|authentication-token|plexonlinetoken|token)$/i;

function walk(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, scrub));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEYS.test(key)) continue;
      out[scrub(key)] = walk(item, scrub);
    }
    return out;
  }
  return value;
}

function scrubber(options: RedactOptions): (text: string) => string {
  const anonymizer = options.ips
    ? createIpAnonymizer(options.key, { publicAs: options.documentationAddresses ? 'documentation' : 'public' })
    : undefined;
  const redactText = createTextRedactor(options.secrets ?? []);
  return (text) => {
    const clean = redactText(text);
    return anonymizer ? anonymizer.text(clean) : clean;
  };
}

/** Deep-redacts any JSON value (exported for tool authors with their own output). */
export function redactValue<T>(value: T, options: RedactOptions = {}): T {
  return walk(value, scrubber(options)) as T;
}

export function redactSnapshot(snapshot: Snapshot, options: RedactOptions = {}): Snapshot {
  const redacted = walk(snapshot, scrubber(options)) as Snapshot;
  redacted.redaction = { token: true, ips: snapshot.redaction.ips || Boolean(options.ips) };
  return redacted;
}

/** Redacts a report, including an attached snapshot, with one mapping so both agree. */
export function redactReport(report: Report, options: RedactOptions = {}): Report {
  const redacted = walk(report, scrubber(options)) as Report;
  if (redacted.snapshot)
    redacted.snapshot.redaction = { token: true, ips: report.snapshot!.redaction.ips || Boolean(options.ips) };
  return redacted;
}
