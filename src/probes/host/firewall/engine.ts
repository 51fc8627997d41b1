/**
 * The evaluation both firewall readers share: chains of rules whose conditions are already decided for one packet
 * (a new inbound TCP connection to Plex's port from an address outside the LAN) as true, false or unknown. Where a
 * condition is unknown both branches are followed, and the answer is every verdict the packet could meet: one verdict
 * when the branches agree, "unknown" when they do not. Unknown is never read as accepted.
 */
export type Tri = boolean | 'unknown';

export type Verdict = 'accepted' | 'dropped' | 'rejected' | 'unknown';

export type Action =
  | { kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' }
  | { kind: 'unknown'; why: string }
  | { kind: 'jump' | 'goto'; target: string };

export interface Rule {
  /** Where the rule is, as its tool names it ("inet filter input #5", "-A INPUT -p tcp --dport 32400 -j DROP"). */
  where: string;
  /** All conditions together: false when any is false, unknown when any is unknown. */
  when: Tri;
  action: Action;
}

export interface Chain {
  name: string;
  rules: Rule[];
}

export interface BaseChain extends Chain {
  /** What happens when the packet falls off the end (or returns from it). */
  policy: 'accept' | 'drop';
  /** Where the policy is set, for naming it when it decides. */
  where: string;
}

export type Terminal = 'accept' | 'drop' | 'reject' | 'unknown';

/** Every outcome the packet could meet, each with the first rule (or policy) seen deciding it. */
export type Outcomes = Map<Terminal | 'return', string>;

export class EvaluationBudgetExceeded extends Error {
  constructor() {
    super('the ruleset needs too many steps to evaluate');
  }
}

/** nft refuses jumps deeper than 16; iptables has a similar stack. Deeper than that is a loop or not a real ruleset. */
const MAX_DEPTH = 16;
/** Nested forks and jumps, each a stack frame: past this the answer is "unknown", not a stack overflow. */
const MAX_FORK_DEPTH = 1000;

export function allOf(conditions: readonly Tri[]): Tri {
  if (conditions.includes(false)) return false;
  return conditions.includes('unknown') ? 'unknown' : true;
}

export function not(value: Tri): Tri {
  return value === 'unknown' ? 'unknown' : !value;
}

function union(a: Outcomes, b: Outcomes): Outcomes {
  const merged = new Map(a);
  for (const [outcome, where] of b) if (!merged.has(outcome)) merged.set(outcome, where);
  return merged;
}

export interface EvaluationInput {
  /** The base chains the packet passes, in the kernel's order (hook, then priority). */
  baseChains: readonly BaseChain[];
  /** Regular chains by name (jump and goto targets). */
  chains: ReadonlyMap<string, Chain>;
  /** Rule visits allowed before giving up with "unknown". @default 200000 */
  budget?: number;
}

export interface Evaluation {
  verdict: Verdict;
  /** The rule or policy that decided it; for "unknown", what could not be evaluated. */
  decidedBy?: string;
  /** The base chain where it was decided. */
  baseChain?: string;
}

export function evaluate(input: EvaluationInput): Evaluation {
  let steps = input.budget ?? 200_000;
  let forks = 0;
  const runChain = (chain: Chain, depth: number): Outcomes => {
    if (depth > MAX_DEPTH) return new Map([['unknown', `${chain.name}: jumps deeper than ${MAX_DEPTH}`]]);
    const walk = (start: number): Outcomes => {
      // Rules that cannot match, and matching rules that only count or log, are stepped over without recursing: a
      // ruleset of 20 000 rules is a loop, not 20 000 stack frames. Only a fork (an unknown condition) recurses.
      let index = start;
      for (;;) {
        if (--steps < 0) throw new EvaluationBudgetExceeded();
        const rule = chain.rules[index];
        if (!rule) return new Map([['return', `end of ${chain.name}`]]);
        if (rule.when === false || (rule.when === true && rule.action.kind === 'continue')) {
          index += 1;
          continue;
        }
        const next = index + 1;
        if (++forks > MAX_FORK_DEPTH) throw new EvaluationBudgetExceeded();
        try {
          const matched = apply(rule, () => walk(next));
          return rule.when === true ? matched : union(matched, walk(next));
        } finally {
          forks -= 1;
        }
      }
    };
    const apply = (rule: Rule, next: () => Outcomes): Outcomes => {
      const { action } = rule;
      switch (action.kind) {
        case 'accept':
        case 'drop':
        case 'reject':
        case 'return':
          return new Map([[action.kind, rule.where]]);
        case 'continue':
          return next();
        case 'unknown':
          return new Map([['unknown', `${rule.where} (${action.why})`]]);
        case 'jump':
        case 'goto': {
          const target = input.chains.get(action.target);
          if (!target) return new Map([['unknown', `${rule.where} (no chain ${action.target})`]]);
          const called = runChain(target, depth + 1);
          if (action.kind === 'goto' || !called.has('return')) return called;
          // A jump comes back here when the called chain returns; a goto returns to this chain's caller.
          const rest = new Map(called);
          rest.delete('return');
          return union(rest, next());
        }
      }
    };
    return walk(0);
  };

  let pending: Outcomes = new Map([['accept', 'no base chain']]);
  try {
    for (const base of input.baseChains) {
      if (!pending.has('accept')) break;
      // Accepted by one base chain, the packet still passes the next (nft: "accept" ends only this chain's hook run).
      const outcomes = runChain(base, 0);
      const ended = outcomes.get('return');
      outcomes.delete('return');
      if (ended !== undefined && !outcomes.has(base.policy))
        outcomes.set(base.policy, `${base.where} policy ${base.policy}`);
      const blocked = new Map(pending);
      blocked.delete('accept');
      pending = union(blocked, tagged(outcomes, base.name));
    }
  } catch (error) {
    if (error instanceof EvaluationBudgetExceeded) return { verdict: 'unknown', decidedBy: error.message };
    throw error;
  }
  return conclude(pending);
}

const BASE_SEPARATOR = '\u0000';

function tagged(outcomes: Outcomes, base: string): Outcomes {
  return new Map([...outcomes].map(([outcome, where]) => [outcome, `${base}${BASE_SEPARATOR}${where}`]));
}

function conclude(pending: Outcomes): Evaluation {
  const read = (outcome: Terminal | 'return'): { decidedBy?: string; baseChain?: string } => {
    const text = pending.get(outcome);
    if (text === undefined) return {};
    const at = text.indexOf(BASE_SEPARATOR);
    return at < 0 ? { decidedBy: text } : { baseChain: text.slice(0, at), decidedBy: text.slice(at + 1) };
  };
  if (pending.has('unknown')) return { verdict: 'unknown', ...read('unknown') };
  const accept = pending.has('accept');
  const drop = pending.has('drop');
  const reject = pending.has('reject');
  if (accept && (drop || reject))
    return {
      verdict: 'unknown',
      decidedBy: `accepted or ${drop ? 'dropped' : 'rejected'}, depending on what could not be evaluated (${read(drop ? 'drop' : 'reject').decidedBy ?? '?'})`,
    };
  // Dropped or rejected either way: blocked. Name the drop first, the outcome a client sees as a timeout.
  if (drop) return { verdict: 'dropped', ...read('drop') };
  if (reject) return { verdict: 'rejected', ...read('reject') };
  return { verdict: 'accepted', ...read('accept') };
}
