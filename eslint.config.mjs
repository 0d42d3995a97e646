// Type-aware linting for every project, Nx module boundaries, and Prettier compatibility.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const moduleBoundaries = {
  enforceBuildableLibDependency: false,
  allow: [],
  depConstraints: [
    { sourceTag: 'type:types', onlyDependOnLibsWithTags: [] },
    { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:types'] },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:types'] },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:types', 'type:runtime', 'type:contracts'] },
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:types', 'type:runtime', 'type:contracts', 'type:app'] },
    // The command line, benchmarks and generators drive the libraries from outside.
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:types', 'type:runtime', 'type:contracts'] },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:shared', 'scope:web'] },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.next/**', '.cluster/**', '.nx/**', 'test-output/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises that the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach', 'suite'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries],
    },
  },
  {
    // The benchmarks measure the built operator the way the integration suite drives it: they may take
    // pieces of its build (the Job template, the runner container's name) and the suite's harness.
    files: ['tools/bench/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { ...moduleBoundaries, allow: ['@tofu-operator/operator/dist/**', '@tofu-operator/operator-int/dist/harness.js'] },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
