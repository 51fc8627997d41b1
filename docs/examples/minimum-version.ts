/**
 * A rule pack with one collector and one rule: "Plex Media Server is at least the version this household requires".
 * The worked example of docs/writing-rules.md, loaded as it is by the test suite:
 *
 *   plex-diagnose --rules docs/examples/minimum-version.ts
 */
import { defineCollector, defineRule, type CollectServices, type CollectorContext } from 'plex-diagnose';
import { z } from 'zod';

/** The oldest version the rule accepts unless configured otherwise (`{ options: { minimum: '1.40.0' } }`). */
export const DEFAULT_MINIMUM = '1.42.0';

// 1. The observation's shape. zod is the source of truth: the type follows from it, and `plex-diagnose analyze`
//    validates a snapshot's value against it before any rule reads it.
export const ServerVersion = z.object({
  /** As the server reports it, e.g. "1.41.3.9314-a0bfb8370". */
  raw: z.string(),
  /** Its first three numbers, e.g. [1, 41, 3]. */
  parts: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
});
export type ServerVersion = z.infer<typeof ServerVersion>;

// 2. Teach TypeScript what `ctx.get('example.serverVersion')` returns, in collectors and in rules.
declare module 'plex-diagnose' {
  interface ObservationValues {
    'example.serverVersion': ServerVersion;
  }
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)/;

// 3. The collector: one observation, gathered through the clients plex-diagnose hands it (never its own), and
//    always passing `ctx.signal`, which fires at the collector's deadline and on Ctrl-C.
export const serverVersion = defineCollector({
  id: 'example.serverVersion',
  title: 'Plex Media Server version',
  schema: ServerVersion,
  async collect(ctx: CollectorContext<CollectServices>): Promise<ServerVersion> {
    const identity = await ctx.services.server.identity({ signal: ctx.signal });
    const raw = identity.version;
    if (!raw) ctx.skip('the server does not report its version');
    const match = VERSION.exec(raw);
    // A throw is fine: the observation becomes `failed` with this message, and rules that need it are skipped.
    if (!match) throw new Error(`unexpected version format "${raw}"`);
    return { raw, parts: [Number(match[1]), Number(match[2]), Number(match[3])] };
  },
});

/** The rule's options, as a zod schema in its meta: a bad option is a usage error naming the rule, before any probe. */
const Options = z.strictObject({ minimum: z.string().regex(VERSION).default(DEFAULT_MINIMUM) });

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

// 4. The rule: serialisable meta, and one pure function of the observations that reports what it finds.
export const minimumServerVersion = defineRule({
  id: 'example/minimum-server-version',
  meta: {
    severity: 'warning',
    category: 'house-rules',
    title: 'Plex Media Server is at least the version this household requires',
    requires: ['example.serverVersion'],
    options: Options,
    messages: {
      tooOld: 'Plex Media Server {{version}} is older than {{minimum}}, the oldest version this household accepts.',
    },
    fixes: {
      update: 'Update Plex Media Server to {{minimum}} or later: Settings → General → "Update my server", or your package manager / container image.',
    },
  },
  evaluate(ctx) {
    const { minimum } = ctx.options; // parsed by the schema, defaults applied
    const version = ctx.get('example.serverVersion');
    if (!version) return;
    const wanted = VERSION.exec(minimum)!.slice(1, 4).map(Number);
    if (compare(version.parts, wanted) >= 0) return;
    ctx.report({
      messageId: 'tooOld',
      data: { version: version.raw, minimum },
      evidence: [{ source: 'example.serverVersion', observed: `version ${version.raw}`, expected: `${minimum} or later` }],
      confidence: 'high',
      fix: { fixId: 'update', data: { minimum } },
    });
  },
});

// 5. What `--rules` loads: named `rules` and `collectors` arrays (a default export of either shape works too).
export const rules = [minimumServerVersion];
export const collectors = [serverVersion];
