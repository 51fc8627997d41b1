/**
 * zod schema for `AddressClass` (src/core/net/address.ts), so probe values that carry a classification validate on load.
 * Kept beside the probes because net/address.ts exports only the type.
 */
import { z } from 'zod';
import type { AddressClass } from '../core/net/address.js';

const CLASSES = [
  'public',
  'private',
  'cgnat',
  'loopback',
  'link-local',
  'multicast',
  'unspecified',
  'reserved',
  'invalid',
] as const;

export const AddressClassSchema = z.enum(CLASSES);

// Compile-time check that the enum and the type in net/address.ts stay the same set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameSet: Same<z.infer<typeof AddressClassSchema>, AddressClass> = true;
void sameSet;
