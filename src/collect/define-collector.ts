/**
 * A collector gathers one observation: an id, what it needs, and one async function. The scheduler runs it as soon
 * as its needs have settled, under its own deadline. Shaped like arethetypeswrong's `defineCheck`: data + one function.
 */
import type { z } from 'zod';
import type { Observation } from '../core/observation.js';

import type { ObservationValues } from './observation-values.js';

export type { ObservationValues };

// `& string` is redundant only while every key is a string: it keeps ids strings when a user's declaration merging adds
// a number or symbol key.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- see the comment above
export type KnownObservationId = keyof ObservationValues & string;
export type ValueOf<Id extends string> = Id extends KnownObservationId ? ObservationValues[Id] : unknown;

/** Read access to what other collectors produced; shared by collectors and rules. */
export interface ObservationReader {
  /** The value of an observation that succeeded, else undefined. */
  get<Id extends string>(this: void, id: Id): ValueOf<Id> | undefined;
  /** The observation itself (ok, failed or skipped), or undefined when it was not collected. */
  observation<Id extends string>(this: void, id: Id): Observation<ValueOf<Id>> | undefined;
}

export interface CollectorContext<Services = unknown> extends ObservationReader {
  /** Fires at this collector's deadline or when the whole collection is aborted; pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** This collector's deadline in ms; probes inside should use a little less. */
  readonly timeoutMs: number;
  /** Clients and probe functions (injectable, so scenarios and tests can supply network facts). */
  readonly services: Services;
  /** Ends the collector with `skipped` and this reason. */
  skip(this: void, reason: string): never;
  /**
   * What this collector's `prefetch` resolved to (it rejects with what `prefetch` threw, a `skip` included);
   * undefined when the collector has no `prefetch`.
   */
  prefetched(this: void): Promise<unknown>;
}

/** What `prefetch` gets: no observations to read yet, only the services. */
export interface PrefetchContext<Services = unknown> {
  /** Fires when the collection is aborted or once the collector has settled (its answer is no longer wanted). */
  readonly signal: AbortSignal;
  /** The collector's deadline in ms. */
  readonly timeoutMs: number;
  readonly services: Services;
  /** Ends the collector with `skipped` and this reason (when its turn comes). */
  skip(this: void, reason: string): never;
}

export interface Collector<Id extends string = string, T = unknown, Services = unknown> {
  readonly id: Id;
  /** A short label for progress output ("UPnP gateway"). */
  readonly title: string;
  /** Collectors whose values this one needs; if any is not ok, this one is skipped with the reason. */
  readonly needs?: readonly string[];
  /** Collectors to wait for and read if available, without requiring them. */
  readonly after?: readonly string[];
  /** Deadline for this collector. @default the collection's `collectorTimeoutMs` */
  readonly timeoutMs?: number;
  /** Validates this collector's value when a snapshot is loaded. */
  readonly schema?: z.ZodType<T>;
  /**
   * I/O that depends on none of `needs`/`after`, started with the collection instead of at this collector's turn: a
   * request whose answer can only be interpreted once the others are in (plex.tv's device list, from which /identity
   * picks this server). `collect` reads the result with `ctx.prefetched()`. Takes the request off the critical path.
   * @default undefined (all I/O happens in `collect`)
   */
  readonly prefetch?: (context: PrefetchContext<Services>) => Promise<unknown>;
  collect(context: CollectorContext<Services>): Promise<T>;
}

/** Identity helper that infers the id and value types. */
export function defineCollector<const Id extends string, T, Services = unknown>(
  collector: Collector<Id, T, Services>,
): Collector<Id, T, Services> {
  return collector;
}

// Services sit in a parameter (contravariant): with unknown, a collector typed for CollectServices would not be
// assignable to the catalogue type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the comment above
export type AnyCollector = Collector<string, unknown, any>;

export type ObservationMap = Record<string, Observation>;

export function createReader(observations: ObservationMap): ObservationReader {
  return {
    get: (id) => {
      const observation = observations[id];
      return (observation?.status === 'ok' ? observation.value : undefined) as never;
    },
    observation: (id) => observations[id] as never,
  };
}
