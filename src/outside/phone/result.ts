/**
 * The phone check's result: plain JSON with a schema (`--json`, `--output`). It records where the visit really came
 * from; only `reached: 'yes'` with `source.kind: 'outside'` says a client on the internet got through.
 */
import { z } from 'zod';
import { AddressClassSchema } from '../../probes/address-class.js';

export const PHONE_RESULT_VERSION = 1;

export const PhoneVisitSource = z.object({
  address: z.string(),
  addressClass: AddressClassSchema,
  /** outside: a public address not the home's own; inside: LAN, loopback, CGNAT/tailnet; hairpin: the home's own public address. */
  kind: z.enum(['outside', 'inside', 'hairpin']),
});
export type PhoneVisitSource = z.infer<typeof PhoneVisitSource>;

export const PhoneCheckResult = z.object({
  version: z.literal(PHONE_RESULT_VERSION),
  vantage: z.literal('phone'),
  /** yes: a visit from outside arrived; timeout: none within the wait; no: the check did not run to the end (see reason). */
  reached: z.enum(['yes', 'no', 'timeout']),
  outcome: z.enum(['reached', 'timeout', 'interrupted', 'not-run']),
  reason: z.string().optional(),
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  publicAddress: z.object({ address: z.string(), from: z.enum(['flag', 'plextv', 'upnp', 'natpmp']) }).optional(),
  listenPort: z.number().int().optional(),
  externalPort: z.number().int().optional(),
  mapping: z.object({
    method: z.enum(['none', 'upnp', 'natpmp']),
    made: z.boolean(),
    /** True when no mapping is left behind (also when none was made). */
    removed: z.boolean(),
    leaseSeconds: z.number().int().optional(),
    detail: z.string().optional(),
  }),
  /** The visit that counted. */
  source: PhoneVisitSource.optional(),
  /** Visits with the nonce that did not count (the first 16). */
  refused: z.array(PhoneVisitSource),
  counts: z.object({ notFound: z.number().int(), refused: z.number().int() }),
  /** Mappings of crashed earlier runs removed (or not) at the start. */
  cleanup: z.array(z.object({ journal: z.string(), removed: z.boolean(), detail: z.string() })),
  warnings: z.array(z.string()),
});
export type PhoneCheckResult = z.infer<typeof PhoneCheckResult>;
