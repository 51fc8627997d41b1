/**
 * The critical path of a diagnosis, derived from the collectors themselves: the run's collectors (what the enabled
 * rules need, plus their needs), each weighted by the round trips it makes one after another, and the heaviest chain
 * through `needs`/`after` (a collector with `prefetch` starts its round trips with the collection). That chain times
 * the per-request latency is the least any scheduler can take.
 */
import { builtinCollectors } from '../../src/collect/builtin/index.js';
import { planCollectors } from '../../src/collect/scheduler.js';
import { builtinRules } from '../../src/rules/builtin/index.js';
import { collectorsFor, resolveRules } from '../../src/rules/config.js';

export interface CriticalPath {
  /** The heaviest chain, first collector first. */
  chain: string[];
  /** Sequential round trips along it. */
  roundTrips: number;
  /** Round trips of every collector added up: what a fully sequential run pays. */
  sequentialRoundTrips: number;
  /** Every collector the run starts. */
  collectors: string[];
}

/** @param roundTrips sequential round trips each collector makes in the bench's setup (default 1) */
export function criticalPath(roundTrips: (id: string) => number = () => 1): CriticalPath {
  // As collect() does: a rule may name an opt-in collector (an experiment) that is then simply not collected.
  const known = new Set(builtinCollectors.map((c) => c.id));
  const wanted = collectorsFor(resolveRules(builtinRules)).filter((id) => known.has(id));
  const plan = planCollectors(builtinCollectors, wanted);
  const best = new Map<string, { cost: number; chain: string[] }>();
  for (const collector of plan) {
    // The plan is in dependency order, so every predecessor is already scored.
    const before = [...(collector.needs ?? []), ...(collector.after ?? [])]
      .map((id) => best.get(id)!)
      .sort((a, b) => b.cost - a.cost)[0];
    const own = roundTrips(collector.id);
    // A prefetching collector's round trips start with the collection, not after its predecessors.
    const cost = collector.prefetch ? Math.max(before?.cost ?? 0, own) : (before?.cost ?? 0) + own;
    // Shown as what it is: the prefetch runs alongside the chain it waits for ("a ‖ b (prefetched)").
    const chain =
      collector.prefetch && before
        ? [`(${before.chain.join(' → ')} ‖ ${collector.id} prefetched)`]
        : [...(before?.chain ?? []), collector.id];
    best.set(collector.id, { cost, chain });
  }
  const heaviest = [...best.values()].sort((a, b) => b.cost - a.cost)[0]!;
  return {
    chain: heaviest.chain,
    roundTrips: heaviest.cost,
    sequentialRoundTrips: plan.reduce((sum, c) => sum + roundTrips(c.id), 0),
    collectors: plan.map((c) => c.id),
  };
}
