// Import rules for src/ (DESIGN.md § Layout): data flows one way,
//   core ← matrix ← generators ← output ← promote ← fleet ← cli
// and the adapters (code hosts, libraries that talk to the outside) stay where they belong.
// Run by `npm run lint`; test/lint/import-rules.test.ts plants violations in a copy to prove each rule bites.

/** Each layer and the layers above it, which it may not import. */
const LAYERS = ['core', 'matrix', 'generators', 'output', 'promote', 'fleet', 'cli'];
const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may not import the layers above it (${LAYERS.slice(index + 1).join(', ')}).`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(index + 1).join('|')})/` },
}));

/**
 * Library packages only one part of the code may load.
 * @param {string} name @param {string} packages @param {string} allowedPath @param {string} why
 */
const onlyIn = (name, packages, allowedPath, why) => ({
  name,
  comment: why,
  severity: 'error',
  from: { path: '^src/', pathNot: allowedPath },
  to: {
    dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
    path: packages,
  },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'Import cycles hide which layer owns what; break them by moving the shared piece down a layer.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'user-content-uses-public-api',
      comment:
        'src/apps and src/environments are user content: they import only the public define API (src/matrix/index.ts).',
      severity: 'error',
      from: { path: '^src/(apps|environments)/' },
      to: { path: '^src/', pathNot: ['^src/(apps|environments)/', '^src/matrix/index[.]ts$'] },
    },
    {
      name: 'code-host-adapters-see-neutral-types',
      comment:
        'src/promote/scm (code hosts, git) depends on its neutral interface only, never on the planner.',
      severity: 'error',
      from: { path: '^src/promote/scm/' },
      to: { path: '^src/promote/', pathNot: '^src/promote/scm/' },
    },
    onlyIn(
      'octokit-only-in-github-adapter',
      'node_modules/@octokit/',
      '^src/promote/scm/github',
      'Only the GitHub adapter talks to GitHub (src/promote/scm/github*).',
    ),
    onlyIn(
      'cdk8s-cdktf-only-in-generators',
      'node_modules/(cdk8s|cdk8s-plus-28|cdktf|@cdktf/[^/]+|constructs)/',
      '^src/generators/',
      'cdk8s and cdktf are generator implementation details (DESIGN.md: a move to cdktn is a one-folder change).',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      // Source imports name their .ts files (verbatimModuleSyntax + tsx).
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
