import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { lazySchema, lazySchemaBuilt, realSchema } from '../../../src/core/util/lazy-schema.js';

describe('lazySchema', () => {
  it('builds nothing until first used, then builds once', () => {
    const build = vi.fn(() => z.object({ port: z.number() }));
    const schema = lazySchema(build);
    expect(build).not.toHaveBeenCalled();
    expect(lazySchemaBuilt(schema)).toBe(false);
    expect(schema.parse({ port: 1 })).toEqual({ port: 1 });
    expect(schema.safeParse({ port: 'x' }).success).toBe(false);
    expect(build).toHaveBeenCalledTimes(1);
    expect(lazySchemaBuilt(schema)).toBe(true);
  });

  it('reads like the schema: instanceof, shape, methods, composition in a user schema, JSON Schema', () => {
    const schema = lazySchema(() => z.object({ port: z.number(), host: z.string().optional() }));
    expect(schema instanceof z.ZodObject).toBe(true);
    expect(schema instanceof z.ZodType).toBe(true);
    expect(typeof schema).toBe('object');
    expect(Object.keys(schema.shape)).toEqual(['port', 'host']);
    expect(schema.optional().parse(undefined)).toBeUndefined();
    expect(schema.extend({ tls: z.boolean() }).parse({ port: 1, tls: true })).toEqual({ port: 1, tls: true });
    // A user composing ours with their own zod, the Proxy itself embedded.
    const user = z.object({ server: schema, list: z.array(schema) });
    expect(user.parse({ server: { port: 2 }, list: [{ port: 3 }] })).toEqual({
      server: { port: 2 },
      list: [{ port: 3 }],
    });
    expect(user.safeParse({ server: { port: '2' }, list: [] }).success).toBe(false);
    expect(z.toJSONSchema(schema)).toMatchObject({ type: 'object', required: ['port'] });
    expect('parse' in schema).toBe(true);
    expect(Object.getOwnPropertyDescriptor(schema, '_zod')).toBeDefined();
  });

  it('realSchema gives the built instance behind a lazy one, and anything else unchanged', () => {
    const eager = z.string();
    const lazy = lazySchema(() => eager);
    expect(realSchema(lazy)).toBe(eager);
    expect(realSchema(eager)).toBe(eager);
    expect(lazySchemaBuilt(eager)).toBeUndefined();
  });

  it('a builder that throws throws at first use, and again at the next (nothing half-built is kept)', () => {
    let attempts = 0;
    const schema = lazySchema((): z.ZodString => {
      attempts += 1;
      throw new Error('broken builder');
    });
    expect(() => schema.parse('x')).toThrow('broken builder');
    expect(() => schema.parse('x')).toThrow('broken builder');
    expect(attempts).toBe(2);
  });
});

describe('importing the library builds none of the lazy schemas', () => {
  it('the root entry, the clients entry and every value schema module, imported fresh, leave them unbuilt', async () => {
    vi.resetModules();
    await import('../../../src/index.js');
    const modules = await Promise.all([
      import('../../../src/clients/index.js'),
      import('../../../src/collect/values/alternate-port.js'),
      import('../../../src/collect/values/connections.js'),
      import('../../../src/collect/values/declared.js'),
      import('../../../src/collect/values/host.js'),
      import('../../../src/collect/values/kubernetes.js'),
      import('../../../src/collect/values/outside.js'),
      import('../../../src/collect/values/plextv.js'),
    ]);
    const lazy = modules.flatMap((module) =>
      Object.entries(module).filter(
        ([, value]) => typeof value === 'object' && value !== null && lazySchemaBuilt(value as object) !== undefined,
      ),
    );
    // The clients' payload schemas and the observation value schemas: if this shrinks, a schema went eager again.
    expect(lazy.length).toBeGreaterThanOrEqual(40);
    expect(lazy.filter(([, value]) => lazySchemaBuilt(value as object)).map(([name]) => name)).toEqual([]);
    const { builtinCollectors } = await import('../../../src/index.js');
    const server = builtinCollectors.find((collector) => collector.id === 'server.identity');
    expect(server?.schema && lazySchemaBuilt(server.schema)).toBe(false);
    // ...and still a zod schema to a user.
    expect(server?.schema instanceof z.ZodType).toBe(true);
  });
});
