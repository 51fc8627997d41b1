// Registered symbols: a second copy of this module (the ESM and the CJS build in one process) still recognises ours.
const REAL = Symbol.for('plex-diagnose.lazySchema.real');
const BUILT = Symbol.for('plex-diagnose.lazySchema.built');

/**
 * A value built on first use, standing in for it meanwhile: `export const Foo = lazySchema(() => z.object({...}))`
 * reads, parses, composes and `instanceof`-checks like the schema itself, but nothing is built when the module is
 * imported. Building zod 4 schemas is real work (every `z.object` runs `$constructor` init chains and `mergeDefs`),
 * and importing the library or starting the CLI built ~170 of them that a run mostly never used (issue 17, start-up).
 *
 * Why a Proxy and not a function call at every use site: the schemas are public values (`plex-diagnose/clients`,
 * `builtinCollectors[i].schema`) and other modules compose them (`z.object({ a: Foo })`, `Foo.optional()`); a
 * function would change every one of those and the public types. The cost stays off the hot path: zod 4's methods
 * are closures over the real instance (`Foo.safeParse` is one trap, then the real schema runs alone), and a composed
 * parent reads `child._zod` once per field per parse through the trap (measured: docs/performance.md, "start-up").
 *
 * Only for objects (zod schemas); `typeof` stays 'object'. Property descriptors are reported configurable because the
 * Proxy's own (empty) target cannot hold the real instance's non-configurable ones (a Proxy invariant).
 */
export function lazySchema<T extends object>(build: () => T): T {
  let real: T | undefined;
  const get = (): T => (real ??= build());
  const handler: ProxyHandler<object> = {
    get: (_target, key) => {
      if (key === REAL) return get();
      if (key === BUILT) return real !== undefined;
      return Reflect.get(get(), key, get()) as unknown;
    },
    set: (_target, key, value) => Reflect.set(get(), key, value),
    has: (_target, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(get(), key);
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(get(), key, descriptor),
    deleteProperty: (_target, key) => Reflect.deleteProperty(get(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
  };
  return new Proxy({}, handler) as T;
}

/**
 * The built schema behind a `lazySchema` (built now if it was not yet), or `schema` itself when it is not lazy. For
 * composing inside another schema's builder: `z.array(realSchema(Foo))` keeps the Proxy out of the parent, whose
 * parse would otherwise read `Foo._zod` through a trap once per element (measured: +40-80% on a 20-field object
 * whose fields were all Proxies).
 */
export function realSchema<T extends object>(schema: T): T {
  return ((schema as Record<PropertyKey, unknown>)[REAL] as T | undefined) ?? schema;
}

/** Whether a `lazySchema` was built yet (undefined for anything else): for tests of what an import builds. */
export function lazySchemaBuilt(value: object): boolean | undefined {
  return (value as Record<PropertyKey, unknown>)[BUILT] as boolean | undefined;
}
