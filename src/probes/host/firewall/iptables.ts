/**
 * iptables / ip6tables: the text `iptables-save` prints, its filter table's INPUT chain (and the user chains it jumps
 * to) decided for the inbound packet. ufw and Docker write their rules here, as chains (ufw-before-input, ...).
 * Options are read as iptables-extensions(8) names them; an option not understood makes its rule "unknown".
 */
import { elementFromCidrText, sourceMatches } from './addresses.js';
import { allOf, evaluate, not, type Action, type Chain, type Evaluation, type Rule, type Tri } from './engine.js';
import { interfaceMatches, isTcp, portMatches, type InboundPacket } from './packet.js';

export interface IptablesTable {
  policies: Map<string, string>;
  rules: Array<{ chain: string; args: string[]; text: string }>;
  /** iptables-nft's "contains incompatible base-chains": the table holds more than it printed. */
  incomplete: boolean;
}

/** Splits one saved rule into words; iptables-save quotes with "..." and escapes \" inside. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.matchAll(pattern))
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  return words;
}

/** The tables of one iptables-save output, by name. Never throws; lines it does not know are skipped. */
export function parseIptablesSave(text: string): Map<string, IptablesTable> {
  const tables = new Map<string, IptablesTable>();
  let current: IptablesTable | undefined;
  let pendingIncomplete = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const warning = /^# Table `([^']+)' contains incompatible base-chains/.exec(line);
    if (warning) pendingIncomplete.add(warning[1]!);
    if (line.startsWith('*')) {
      const name = line.slice(1);
      current = { policies: new Map(), rules: [], incomplete: pendingIncomplete.has(name) };
      tables.set(name, current);
      continue;
    }
    if (!current) continue;
    if (line === 'COMMIT') {
      current = undefined;
      pendingIncomplete = new Set();
      continue;
    }
    const policy = /^:(\S+)\s+(\S+)/.exec(line);
    if (policy) {
      current.policies.set(policy[1]!, policy[2]!);
      continue;
    }
    // `-c packets bytes` or `[packets:bytes]` counters may precede -A.
    const words = splitWords(line.replace(/^\[\d+:\d+\]\s*/, ''));
    if (words[0] === '-c') words.splice(0, 3);
    if (words[0] === '-A' && words[1]) current.rules.push({ chain: words[1], args: words.slice(2), text: line });
  }
  return tables;
}

const NON_TERMINATING = new Set(['LOG', 'NFLOG', 'ULOG', 'MARK', 'CONNMARK', 'CT', 'NOTRACK', 'TRACE', 'AUDIT', 'SET']);
const NEW_STATES = new Set(['NEW']);

function portList(text: string): Array<{ from: number; to: number }> | undefined {
  const ranges = text.split(',').map((part) => {
    const [from, to = from] = part.split(':');
    return { from: Number(from), to: Number(to) };
  });
  return ranges.every((r) => Number.isInteger(r.from) && Number.isInteger(r.to)) ? ranges : undefined;
}

function decidePorts(text: string, packet: InboundPacket): Tri {
  const ranges = portList(text);
  return ranges ? ranges.some((range) => portMatches(range, packet)) : 'unknown';
}

/** Decides one rule's options; unknown options make the rule unknown. */
export function compileIptablesRule(
  args: string[],
  packet: InboundPacket,
  userChains: Set<string>,
  where: string,
): Rule {
  const conditions: Tri[] = [];
  const whys: string[] = [];
  let action: Action = { kind: 'continue' };
  let negate = false;
  const push = (value: Tri, why?: string) => {
    conditions.push(negate ? not(value) : value);
    negate = false;
    if (value === 'unknown' && why) whys.push(why);
  };
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    const value = args[i + 1] ?? '';
    const takes = () => (i += 1);
    switch (option) {
      case '!':
        negate = true;
        break;
      case '-p':
      case '--protocol':
        takes();
        push(isTcp(value));
        break;
      case '-s':
      case '--source':
        takes();
        push(sourceMatches(value.split(',').map(elementFromCidrText), packet.family), `source ${value}`);
        break;
      case '-i':
      case '--in-interface':
        takes();
        push(interfaceMatches(value, packet), `interface ${value}`);
        break;
      case '-m':
      case '--match':
        takes();
        if (!['tcp', 'multiport', 'conntrack', 'state', 'comment', 'addrtype'].includes(value))
          push('unknown', `-m ${value}`);
        break;
      case '--dport':
      case '--destination-port':
      case '--dports':
      case '--destination-ports':
      case '--ports':
        takes();
        push(decidePorts(value, packet), `ports ${value}`);
        break;
      case '--ctstate':
      case '--state':
        takes();
        push(value.split(',').some((state) => NEW_STATES.has(state)));
        break;
      case '--syn':
        push(true); // A new connection's first packet is a SYN.
        break;
      case '--comment':
        takes();
        break;
      case '--dst-type':
        takes();
        push(value === 'LOCAL' ? true : 'unknown', `--dst-type ${value}`);
        break;
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        takes();
        const goto = option === '-g' || option === '--goto';
        if (['ACCEPT', 'DROP', 'REJECT', 'RETURN'].includes(value))
          action = {
            kind: value === 'ACCEPT' ? 'accept' : value === 'DROP' ? 'drop' : value === 'REJECT' ? 'reject' : 'return',
          };
        else if (userChains.has(value)) action = { kind: goto ? 'goto' : 'jump', target: value };
        else if (NON_TERMINATING.has(value)) action = { kind: 'continue' };
        else action = { kind: 'unknown', why: `target ${value}` };
        // Target options (--reject-with, --log-prefix, ...) follow; none changes the verdict.
        i = args.length;
        break;
      }
      default:
        push('unknown', `option ${option}`);
        if (args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) takes();
    }
  }
  const when = allOf(conditions);
  return { where: whys.length ? `${where} (cannot evaluate ${whys.join('; ')})` : where, when, action };
}

/** Evaluates one saved ruleset's filter INPUT chain for the packet. */
export function evaluateIptables(text: string, packet: InboundPacket, budget?: number): Evaluation {
  const filter = parseIptablesSave(text).get('filter');
  if (!filter) return { verdict: 'accepted', decidedBy: 'no filter table' };
  if (filter.incomplete)
    return {
      verdict: 'unknown',
      decidedBy: 'the filter table holds chains iptables-save cannot print (read it with nft)',
    };
  const userChains = new Set([...filter.policies.keys()].filter((name) => filter.policies.get(name) === '-'));
  const chains = new Map<string, Chain>();
  for (const name of filter.policies.keys()) chains.set(name, { name, rules: [] });
  for (const rule of filter.rules) {
    const chain = chains.get(rule.chain);
    if (chain)
      chain.rules.push(compileIptablesRule(rule.args, packet, userChains, `-A ${rule.chain} ${rule.args.join(' ')}`));
  }
  const input = chains.get('INPUT');
  if (!input) return { verdict: 'accepted', decidedBy: 'no INPUT chain' };
  const policy = filter.policies.get('INPUT') === 'DROP' ? 'drop' : 'accept';
  return evaluate({
    baseChains: [{ ...input, policy, where: 'filter INPUT' }],
    chains,
    ...(budget !== undefined ? { budget } : {}),
  });
}
