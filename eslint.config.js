// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import boundaries from DESIGN.md § Layout: data flows one way. Each folder's rule lists every pattern
 * it may not import, because a later `no-restricted-imports` entry replaces an earlier one. */
const octokitOnlyInGitHubAdapter = {
  group: ['@octokit/*'],
  message: 'Only src/promote/scm/github.ts talks to GitHub.',
};
const boundary = (/** @type {string[]} */ groups, /** @type {string} */ message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }, octokitOnlyInGitHubAdapter] }],
});

export default tseslint.config(
  { ignores: ['generated/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JavaScript entry points run on Node.
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The report page's script runs in the browser and is inlined into the page; it is not part of
    // the TypeScript project, so it gets the untyped rules.
    files: ['src/fleet/report/assets/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/**'],
    ignores: ['src/promote/scm/github.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [octokitOnlyInGitHubAdapter] }],
    },
  },
  {
    files: ['src/apps/**', 'src/environments/**'],
    rules: boundary(
      ['**/generators/**', '**/output/**', '**/promote/**', '**/cli/**'],
      'User content imports only from src/matrix (DESIGN.md § Layout).',
    ),
  },
  {
    files: ['src/matrix/**'],
    rules: boundary(
      ['**/generators/**', '**/output/**', '**/promote/**', '**/cli/**', '**/apps/**', '**/environments/**'],
      'The model does not depend on generators, output, promotion, the CLI or example content.',
    ),
  },
  {
    files: ['src/generators/**'],
    rules: boundary(
      ['**/promote/**', '**/cli/**', '**/output/writer*'],
      'Generators are pure: no promotion, CLI or disk writer.',
    ),
  },
  {
    files: ['src/**'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'Only the CLI exits: throw an error from src/matrix/errors.ts instead.',
        },
      ],
    },
  },
);
