/**
 * Declared facts: what no probe can see, as the user states it (a flag, or an answer to a question on a terminal).
 * They are observations of their own kind (`declared.*`), shown as "you said", and weigh less than a measurement.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';

/** How the user stated it. */
export const DeclaredVia = lazySchema(() => z.enum(['flag', 'answer']));

/** A router forward as the user reads it off the router's page: external port → host:port. */
export const DeclaredForward = lazySchema(() =>
  z.object({
    externalPort: z.number().int().min(1).max(65535),
    host: z.string().min(1),
    internalPort: z.number().int().min(1).max(65535),
  }),
);
export type DeclaredForward = z.infer<typeof DeclaredForward>;

export const DeclaredForwards = lazySchema(() =>
  z.object({ via: realSchema(DeclaredVia), forwards: z.array(realSchema(DeclaredForward)).min(1) }),
);
export type DeclaredForwards = z.infer<typeof DeclaredForwards>;

/** "Remote access fails from outside" (or works): what the user sees from a phone on mobile data or a friend's home. */
export const DeclaredRemoteAccess = lazySchema(() =>
  z.object({ via: realSchema(DeclaredVia), failsFromOutside: z.boolean() }),
);
export type DeclaredRemoteAccess = z.infer<typeof DeclaredRemoteAccess>;

/** Something in front of Plex that the outside reaches instead: a reverse proxy or a tunnel. */
export const DeclaredFrontDoor = lazySchema(() =>
  z.object({ via: realSchema(DeclaredVia), kind: z.enum(['reverse-proxy', 'tunnel']) }),
);
export type DeclaredFrontDoor = z.infer<typeof DeclaredFrontDoor>;

/** The server runs in Kubernetes (pod addresses, Services and Ingress decide reachability). */
export const DeclaredKubernetes = lazySchema(() => z.object({ via: realSchema(DeclaredVia), kubernetes: z.boolean() }));
export type DeclaredKubernetes = z.infer<typeof DeclaredKubernetes>;

/** Everything the user can declare; every field optional (unstated is not false). */
export interface DeclaredFacts {
  forwards?: DeclaredForward[];
  failsFromOutside?: boolean;
  frontDoor?: DeclaredFrontDoor['kind'];
  kubernetes?: boolean;
  /** @default 'flag' */
  via?: z.infer<typeof DeclaredVia>;
}

/** Parses `32400:192.168.1.10:32400` (also `32400→192.168.1.10:32400`, `32400->...`, `[fd00::1]:32400`). */
export function parseForward(text: string): DeclaredForward | undefined {
  const match = /^\s*(\d{1,5})\s*(?::|->|→)\s*(\[[^\]]+\]|[^:\s]+):(\d{1,5})\s*$/.exec(text);
  if (!match) return undefined;
  const parsed = DeclaredForward.safeParse({
    externalPort: Number(match[1]),
    host: match[2]!.replace(/^\[|\]$/g, ''),
    internalPort: Number(match[3]),
  });
  return parsed.success ? parsed.data : undefined;
}

/** The `declared.*` observation ids of the facts that were stated. */
export function statedFactIds(facts: DeclaredFacts | undefined): string[] {
  if (!facts) return [];
  return [
    ...(facts.forwards?.length ? ['declared.forwards'] : []),
    ...(facts.failsFromOutside !== undefined ? ['declared.remoteAccess'] : []),
    ...(facts.frontDoor !== undefined ? ['declared.frontDoor'] : []),
    ...(facts.kubernetes !== undefined ? ['declared.kubernetes'] : []),
  ];
}
