/**
 * `plex-diagnose analyze s.json` reads files people edit, truncate, and paste from forums. For arbitrary JSON and for
 * arbitrary mutations of a valid snapshot, the loader gives a typed SnapshotError or a snapshot; and a snapshot it
 * accepts must then analyze and format without an exception, since that is what the command does next.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, readSnapshot } from '../../src/diagnose/diagnose.js';
import { SnapshotError } from '../../src/core/errors.js';
import { formatJson } from '../../src/report/format/json.js';
import { formatMarkdown } from '../../src/report/format/markdown.js';
import { formatText } from '../../src/report/format/text.js';
import { redactReport } from '../../src/core/redact-values.js';
import { buildSnapshot, failed, healthyObservations, skipped } from '../../src/testing/observations.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function loadOrSnapshotError(input: unknown): ReturnType<typeof readSnapshot> | undefined {
  try {
    return readSnapshot(input);
  } catch (error) {
    if (error instanceof SnapshotError) {
      expect(error.code).toBe('PLEXDIAG_SNAPSHOT');
      expect(typeof error.message).toBe('string');
      return undefined;
    }
    throw new Error(
      `readSnapshot threw something else than a SnapshotError: ${String((error as Error)?.stack ?? error)}`,
      { cause: error },
    );
  }
}

/** What `analyze` does after a successful load: every step must work on anything the loader accepted. */
function analyzeAndFormat(snapshot: ReturnType<typeof readSnapshot>): void {
  const report = redactReport(analyze(snapshot, { includeSnapshot: true }), { ips: true, secrets: ['a-token-value'] });
  expect(report.checks.length).toBeGreaterThan(0);
  formatText(report, { color: false, verbose: true });
  formatMarkdown(report);
  JSON.parse(formatJson(report));
}

const bases: Json[] = [
  buildSnapshot(),
  buildSnapshot({
    ...healthyObservations(),
    'server.identity': failed('ETIMEDOUT', 'no answer within 10000 ms', { phase: 'timeout' }),
    'plextv.resources': skipped('no token'),
    'probe.upnp': failed('ENOIGD', 'no UPnP IGD answered', { phase: 'timeout' }),
  }),
].map((snapshot) => JSON.parse(JSON.stringify(snapshot)) as Json);

/** Every path to a value inside a JSON document (the root is []). */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...pathsOf(item, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) out.push(...pathsOf(item, [...prefix, key]));
  return out;
}

type Mutation = { op: 'delete' } | { op: 'replace'; value: Json } | { op: 'add-key'; key: string; value: Json };

function mutate(document: Json, path: (string | number)[], mutation: Mutation): Json {
  const copy = JSON.parse(JSON.stringify(document)) as Json;
  if (path.length === 0) return mutation.op === 'replace' ? mutation.value : mutation.op === 'delete' ? null : copy;
  let parent = copy as Record<string | number, Json>;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (mutation.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (mutation.op === 'replace') {
    parent[last] = mutation.value;
  } else {
    const target = parent[last];
    if (target && typeof target === 'object' && !Array.isArray(target))
      (target as Record<string, Json>)[mutation.key] = mutation.value;
    else parent[last] = { [mutation.key]: mutation.value };
  }
  return copy;
}

const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(
    null,
    '',
    0,
    -1,
    1e308,
    true,
    [],
    {},
    'ok',
    'failed',
    'skipped',
    '__proto__',
    'x'.repeat(10_000),
    '😀\u0000\uFFFF',
  ),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ op: 'delete' }),
  nastyValue.map((value): Mutation => ({ op: 'replace', value })),
  fc
    .tuple(
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('__proto__', 'constructor', 'status', 'value', 'error', 'token', 'authToken'),
      ),
      nastyValue,
    )
    .map(([key, value]): Mutation => ({ op: 'add-key', key, value })),
);

describe('readSnapshot on arbitrary input', () => {
  it('arbitrary JSON values and their text: a SnapshotError (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        loadOrSnapshotError(value);
        loadOrSnapshotError(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary text, including truncated snapshots: a SnapshotError or a snapshot (property)', () => {
    const text = JSON.stringify(bases[0]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 500 }),
          fc.nat({ max: text.length }).map((end) => text.slice(0, end)),
        ),
        (input) => {
          const snapshot = loadOrSnapshotError(input);
          if (snapshot) analyzeAndFormat(snapshot);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one to three mutations anywhere in a valid snapshot: a SnapshotError, or a snapshot that analyzes and formats (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 3 }),
        (base, steps) => {
          let document = base;
          for (const [pick, change] of steps) {
            const paths = pathsOf(document);
            document = mutate(document, paths[pick % paths.length]!, change);
          }
          const snapshot = loadOrSnapshotError(document);
          if (snapshot) analyzeAndFormat(snapshot);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('the unmutated bases load and analyze (the properties above start from valid snapshots)', () => {
    for (const base of bases) {
      const snapshot = loadOrSnapshotError(base);
      expect(snapshot).toBeDefined();
      analyzeAndFormat(snapshot!);
    }
  });
});

describe('dates out of range', () => {
  it('an epoch beyond what Date can hold is no date, not a RangeError (found by the mutation property)', async () => {
    const { plexDateOpt } = await import('../../src/http/plex-values.js');
    expect(plexDateOpt.parse(1e20)).toBeUndefined();
    expect(plexDateOpt.parse('99999999999999999')).toBeUndefined();
    expect(plexDateOpt.parse(1700000000)).toBe('2023-11-14T22:13:20.000Z');
  });
});
