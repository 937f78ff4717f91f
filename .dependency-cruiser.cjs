// The architecture rule (issue 13): the layer order of src/, no cycles, src never reaching into tests; see docs/ARCHITECTURE.md.
/* global module */
//
// Run by `npm run lint` (so by `npm test`): `depcruise src --config .dependency-cruiser.cjs`. Type-only imports count
// (tsPreCompilationDeps): a type import is how an upward dependency starts, and the cycles of issue 13 were
// half type imports. LAYERS is the one list; test/layers.test.ts checks that every file of src/ is in
// exactly one layer and that the rules below do fail on a tree with a cycle or an upward import.

/**
 * Lowest first. A module may import its own layer or a lower one, never a higher one. `paths` are regular
 * expressions on the path from the repository root; `pathNot` takes a file out of a layer it would otherwise match.
 */
const LAYERS = [
  {
    name: 'domain',
    paths: ['^src/domain/'],
    why: 'the vocabulary (types, error catalogue, job states, numbers): everything speaks it, it speaks nothing else',
  },
  {
    name: 'shared',
    paths: ['^src/(proc|store)/', '^src/(config|logger)\\.ts$', '^src/lines/config\\.ts$'],
    why: 'low-level helpers every part uses (processes with limits, the database handle and migrations, configuration, ' +
      'logging); src/lines/config.ts is here because config.ts parses FAXGATE_LINES with it: it must stay a leaf',
  },
  {
    name: 'formats',
    paths: ['^src/formats/'],
    why: 'readers of file formats (containers, TIFF, ...): facts about bytes, shared by detection, rendering and receiving',
  },
  {
    name: 'attachments-render',
    paths: ['^src/(attachments|render)/'],
    why: 'what a file is (detect, screen, type registry) and how it becomes fax pages; siblings, neither knows a job',
  },
  {
    name: 'services',
    paths: ['^src/(intake|jobs|feedback|inbound|settings|lines|health|metrics|cleanup|mail)/'],
    pathNot: ['^src/lines/config\\.ts$'],
    why: 'the policy and the work: one intake, the job store and workers, feedback, received faxes, accounts, fax ' +
      'lines, health, metrics, cleanup and mail to people; protocol-free, so no adapter is needed to test them',
  },
  {
    name: 'adapters',
    paths: ['^src/(ingress|web)/'],
    why: 'SMTP, the HTTP API and the web pages translate a protocol into service calls; nothing below may know them',
  },
  {
    name: 'composition',
    paths: ['^src/(main|cli|web-service)\\.ts$', '^src/(cli|docs)/'],
    why: 'main.ts wires the real parts, the CLI and tools drive them; the only place that may know everything',
  },
];

const above = (i) => LAYERS.slice(i + 1).flatMap((l) => l.paths);
// A file placed in a lower layer by name (src/lines/config.ts) is no higher-layer target although a higher layer's
// pattern matches it.
const atOrBelow = (i) => LAYERS.slice(0, i + 1).flatMap((l) => l.paths);

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name}`,
  severity: 'error',
  comment: `a ${layer.name} module may import only ${LAYERS.slice(0, i + 1).map((l) => l.name).join(', ')}, ` +
    `not the layers above (${LAYERS.slice(i + 1).map((l) => l.name).join(', ')}). ` +
    `Layer ${i} (${layer.name}) is ${layer.why}. Move the shared piece down, or pass it in through the factory ` +
    '(docs/ARCHITECTURE.md, "Layers")',
  from: { path: layer.paths, ...(layer.pathNot ? { pathNot: layer.pathNot } : {}) },
  to: { path: above(i), pathNot: atOrBelow(i) },
}));

/**
 * Folders whose index.ts is already the only file other folders import: kept so. (render/, lines/, feedback/ and
 * intake/ are imported file by file today; a rule for them would be a refactor of its own, not a guard.)
 */
const INDEX_ONLY = ['src/cleanup', 'src/health', 'src/metrics', 'src/store/migrations', 'src/ingress/http/routes'];

const indexRules = INDEX_ONLY.map((dir) => ({
  name: `index-only-${dir.replace(/^src\//, '').replaceAll('/', '-')}`,
  severity: 'error',
  comment: `${dir}/index.ts is the folder's one door: import it, not the files behind it`,
  from: { pathNot: `^${dir}/` },
  to: { path: `^${dir}/`, pathNot: `^${dir}/index\\.ts$` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a module cycle: modules that import each other cannot be understood, tested or moved apart on their own; ' +
        'move what both need into a lower module or invert the dependency through the factory',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment: 'a folder cycle (e.g. attachments -> render -> attachments): two parts that need each other are one ' +
        'part; give the shared piece its own lower home',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...indexRules,
    {
      name: 'src-not-to-tests',
      severity: 'error',
      comment: 'the product must not import tests, benchmarks or fixtures: they are not shipped',
      from: { path: '^src/' },
      to: { path: '^(test|bench|fixtures)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

// For test/layers.test.ts; not enumerable, so dependency-cruiser's own config check does not see it.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
