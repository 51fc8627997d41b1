/**
 * The layers of plex-diagnose, enforced (`npm run lint:deps`). Bottom to top; each layer imports only from below:
 *
 *   core < http < {clients, probes, this-host} < outside < collect < rules < diagnose < report < {watch, fix, experiments} < serve
 *        < testing < cli
 *
 * Layers that share a rank (clients/probes/this-host; watch/fix/experiments) may not import each other either: they
 * are siblings that meet only in a layer above. src/index.ts is the root entry: it may import any layer but cli.
 * A folder's own index.ts (a subpath entry such as src/probes/index.ts) belongs to its folder's layer.
 * Type-only imports count (`tsPreCompilationDeps`): a type cycle is still a cycle to a reader.
 * test/architecture.test.ts proves these rules bite on a fixture tree with a back-arrow and a cycle.
 */

/** Rank per top-level folder of src/; a folder may import only folders of a strictly lower rank (and itself). */
const RANKS = {
  core: 0,
  http: 1,
  clients: 2,
  probes: 2,
  'this-host': 2,
  // Outside checks (the reflector and its client) build on the probes and are read by the collectors.
  outside: 2.5,
  collect: 3,
  rules: 4,
  diagnose: 5,
  report: 6,
  watch: 7,
  fix: 7,
  experiments: 7,
  // The status page of `watch --serve`: built on the watch loop's reports and history.
  serve: 7.5,
  testing: 8,
  cli: 9,
};

const layers = Object.keys(RANKS);
const alternation = (names) => `(${names.map((name) => name.replace(/[-]/g, '\\-')).join('|')})`;

/** One rule per layer: no import of a layer at the same rank (other than itself) or above, nor of the root entry. */
const layerRules = layers
  .filter((layer) => layer !== 'cli') // the top: it may import every layer and the root entry
  .map((layer) => {
    const forbidden = layers.filter((other) => other !== layer && RANKS[other] >= RANKS[layer]);
    // The root entry sits just below cli: nothing but the CLI may import it (it imports them).
    const targets = [`^src/index\\.ts$`];
    if (forbidden.length > 0) targets.push(`^src/${alternation(forbidden)}/`);
    return {
      name: `layer-${layer}`,
      comment: `src/${layer}/ may import only layers below it (rank ${RANKS[layer]}): not ${forbidden.join(', ') || 'the root entry'}, nor src/index.ts.`,
      severity: 'error',
      from: { path: `^src/${alternation([layer])}/` },
      to: { path: targets },
    };
  });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'root-entry-not-cli',
      comment: 'The library entry (src/index.ts) never pulls in the CLI: the CLI is a consumer of the library.',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'nothing-outside-cli-imports-cli',
      comment: 'Only the CLI imports the CLI; library code that a tool author wants lives in a library folder.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'rules-engine-not-builtin',
      comment:
        'Inside rules/, builtin/ builds on the engine, never the reverse: the engine knows no rule by name. ' +
        'The catalogue (rules/builtin/index.ts) is picked up by the layers above.',
      severity: 'error',
      from: { path: '^src/rules/', pathNot: '^src/rules/builtin/' },
      to: { path: '^src/rules/builtin/' },
    },
    {
      name: 'builtin-catalogue-through-its-index',
      comment:
        'Outside rules/, the built-in rules are reached through the catalogue (rules/builtin/index.ts), and only by ' +
        'diagnose, testing, cli and the root entry: formatting, watch, fix and experiments get rules as data.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(rules|diagnose|testing|cli)/|^src/index\\.ts$' },
      to: { path: '^src/rules/builtin/' },
    },
    {
      name: 'builtin-rule-files-are-private',
      comment:
        'A single built-in rule file is imported only inside rules/builtin/; everything else uses the catalogue.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/rules/builtin/' },
      to: { path: '^src/rules/builtin/', pathNot: '^src/rules/builtin/index\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'No cycles anywhere, type-only imports included: each file must be readable bottom-up.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-test',
      comment: 'The library never imports from the test tree.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a broken build waiting for the bundler to notice.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.test-dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
