/**
 * nftables: `nft -j list ruleset` (libnftables-json(5)) read into chains for the shared evaluation. The packet passes
 * every base chain on its way in (ingress, prerouting, input; by priority within a hook) of the families that see it
 * (ip or ip6, inet, netdev); an accept ends only the chain it is in, a drop or reject ends the packet.
 */
import { z } from 'zod';
import {
  allOf,
  evaluate,
  type Action,
  type BaseChain,
  type Chain,
  type Evaluation,
  type Rule,
  type Tri,
} from './engine.js';
import { decideMatch, type SetLookup } from './nft-match.js';
import type { InboundPacket } from './packet.js';

const NftRuleset = z.object({ nftables: z.array(z.record(z.string(), z.unknown())) });

const HOOK_ORDER: Record<string, number> = { ingress: 0, prerouting: 1, input: 2 };
const BENIGN = new Set(['counter', 'log', 'mangle', 'notrack', 'set', 'masquerade', 'snat', 'meta', 'ct', 'flow']);
const CONDITION_LIKE = new Set(['limit', 'quota', 'meter', 'connlimit', 'numgen', 'secmark', 'synproxy']);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class NftJsonError extends Error {
  readonly code = 'ENFTJSON';
}

interface NftObjects {
  chains: Json[];
  rules: Json[];
  sets: Json[];
}

/** Validates the outer shape; throws NftJsonError (with the parse error as cause) on anything else. */
export function parseNftJson(text: string): NftObjects {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new NftJsonError('nft -j printed something that is not JSON', { cause });
  }
  const result = NftRuleset.safeParse(parsed);
  if (!result.success)
    throw new NftJsonError('nft -j printed JSON without an "nftables" array', { cause: result.error });
  const pick = (kind: string) => result.data.nftables.map((o) => o[kind]).filter(isObject);
  return { chains: pick('chain'), rules: pick('rule'), sets: [...pick('set'), ...pick('map')] };
}

const key = (family: unknown, table: unknown, name: unknown) => `${String(family)} ${String(table)} ${String(name)}`;

function familySees(family: unknown, packet: InboundPacket): boolean {
  return family === 'inet' || family === 'netdev' || family === (packet.family === 4 ? 'ip' : 'ip6');
}

function verdictOf(statement: Json): Action | undefined {
  if ('accept' in statement) return { kind: 'accept' };
  if ('drop' in statement) return { kind: 'drop' };
  if ('reject' in statement) return { kind: 'reject' };
  if ('return' in statement) return { kind: 'return' };
  for (const kind of ['jump', 'goto'] as const) {
    const target = statement[kind];
    if (isObject(target) && typeof target.target === 'string') return { kind, target: target.target };
  }
  return undefined;
}

interface CompiledRule extends Rule {
  /** A vmap becomes an anonymous chain the rule jumps to. */
  extraChain?: Chain;
}

function compileRule(rule: Json, packet: InboundPacket, sets: SetLookup, where: string): CompiledRule {
  const conditions: Tri[] = [];
  const whys: string[] = [];
  const expressions = Array.isArray(rule.expr) ? (rule.expr as unknown[]) : [];
  for (const [index, expression] of expressions.entries()) {
    if (!isObject(expression))
      return { where, when: 'unknown', action: { kind: 'unknown', why: 'malformed expression' } };
    const kind = Object.keys(expression)[0] ?? '';
    const when = () => allOf(conditions);
    if (kind === 'match' && isObject(expression.match)) {
      const decided = decideMatch(expression.match, packet, sets);
      conditions.push(decided.value);
      if (decided.why) whys.push(decided.why);
      if (decided.value === false) return { where, when: false, action: { kind: 'continue' } };
      continue;
    }
    const verdict = verdictOf(expression);
    if (verdict) return { where: whys.length ? `${where} (${whys.join('; ')})` : where, when: when(), action: verdict };
    if (kind === 'vmap' && isObject(expression.vmap)) return compileVmap(expression.vmap, packet, sets, where, when());
    if (kind === 'xt' && isObject(expression.xt) && expression.xt.type !== 'target') {
      conditions.push('unknown');
      whys.push(`iptables extension ${String(expression.xt.name)}`);
      continue;
    }
    if (CONDITION_LIKE.has(kind)) {
      conditions.push('unknown');
      whys.push(`${kind} (depends on traffic)`);
      continue;
    }
    if (BENIGN.has(kind)) continue;
    const name =
      kind === 'xt' && isObject(expression.xt)
        ? `iptables target ${String(expression.xt.name)}`
        : kind || `expression ${index}`;
    return { where, when: when(), action: { kind: 'unknown', why: `cannot evaluate ${name}` } };
  }
  return { where, when: allOf(conditions), action: { kind: 'continue' } };
}

/** `tcp dport vmap { 22 : accept, 32400 : drop }`: one pseudo-rule per element in an anonymous chain. */
function compileVmap(vmap: Json, packet: InboundPacket, sets: SetLookup, where: string, when: Tri): CompiledRule {
  const name = `${where} vmap`;
  const items = isObject(vmap.data) && Array.isArray(vmap.data.set) ? (vmap.data.set as unknown[]) : undefined;
  if (!items) return { where, when, action: { kind: 'unknown', why: 'a vmap this reader cannot read' } };
  const rules: Rule[] = items.map((item) => {
    const [value, verdict] = Array.isArray(item) ? (item as unknown[]) : [];
    const action = isObject(verdict) ? verdictOf(verdict) : undefined;
    const decided = decideMatch({ op: '==', left: vmap.key, right: value }, packet, sets);
    return { where: name, when: decided.value, action: action ?? { kind: 'unknown', why: 'vmap verdict' } };
  });
  return { where, when, action: { kind: 'jump', target: name }, extraChain: { name, rules } };
}

function setLookup(sets: Json[], family: unknown, table: unknown): SetLookup {
  return (name) => {
    const set = sets.find((s) => s.family === family && s.table === table && s.name === name);
    if (!set) return undefined;
    // An empty set prints no "elem". A set filled as traffic flows (fail2ban-like, "dynamic") holds specific sources
    // at any time, never the internet at large: what it holds now is as good as any moment's.
    if (set.elem === undefined) return [];
    return Array.isArray(set.elem) ? (set.elem as unknown[]) : undefined;
  };
}

/** Evaluates the whole ruleset for the packet. */
export function evaluateNft(objects: NftObjects, packet: InboundPacket, budget?: number): Evaluation {
  const chains = new Map<string, Chain>();
  const bases: Array<BaseChain & { order: number }> = [];
  for (const chain of objects.chains) {
    if (!familySees(chain.family, packet)) continue;
    const id = key(chain.family, chain.table, chain.name);
    const where = `${String(chain.family)} ${String(chain.table)} ${String(chain.name)}`;
    const hook = typeof chain.hook === 'string' ? HOOK_ORDER[chain.hook] : undefined;
    const compiled: Chain = { name: id, rules: [] };
    chains.set(id, compiled);
    if (hook === undefined) continue;
    const prio = typeof chain.prio === 'number' ? chain.prio : 0;
    bases.push({ ...compiled, policy: chain.policy === 'drop' ? 'drop' : 'accept', where, order: hook * 1e6 + prio });
  }
  for (const rule of objects.rules) {
    const chain = chains.get(key(rule.family, rule.table, rule.chain));
    if (!chain) continue;
    const where = `${String(rule.family)} ${String(rule.table)} ${String(rule.chain)} handle ${String(rule.handle)}`;
    const compiled = compileRule(rule, packet, setLookup(objects.sets, rule.family, rule.table), where);
    // Jump targets are names within the rule's own table.
    if (compiled.action.kind === 'jump' || compiled.action.kind === 'goto')
      compiled.action = {
        ...compiled.action,
        target: compiled.extraChain ? compiled.action.target : key(rule.family, rule.table, compiled.action.target),
      };
    if (compiled.extraChain) chains.set(compiled.extraChain.name, prefixTargets(compiled.extraChain, rule));
    chain.rules.push({ where: compiled.where, when: compiled.when, action: compiled.action });
  }
  bases.sort((a, b) => a.order - b.order);
  // Base chains were copied before their rules were added: take the rules from the map.
  const baseChains = bases.map((base) => ({ ...base, rules: chains.get(base.name)!.rules }));
  return evaluate({ baseChains, chains, ...(budget !== undefined ? { budget } : {}) });
}

function prefixTargets(chain: Chain, rule: Json): Chain {
  return {
    name: chain.name,
    rules: chain.rules.map((r) =>
      r.action.kind === 'jump' || r.action.kind === 'goto'
        ? { ...r, action: { ...r.action, target: key(rule.family, rule.table, r.action.target) } }
        : r,
    ),
  };
}
