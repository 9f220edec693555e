import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The layers the design lets a folder use; anything else is refused by lint. */
const outerLayers = ['api', 'admin', 'workflows', 'reports', 'wiring', 'portal', 'bench', 'test'];
const layer = (name) => [`../${name}/*`, `../../${name}/*`, `../../../${name}/*`];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'dist/', 'coverage/', 'test-artifacts/', '.adminjs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The earn widget runs in shoppers' browsers, as a classic script.
  { files: ['api/widget/**/*.js'], languageOptions: { globals: globals.browser, sourceType: 'script' } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The program's rules: plain TypeScript over entities, no framework.
    files: ['loyalty/**/*.ts'],
    ignores: ['loyalty/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: outerLayers.flatMap(layer), message: 'loyalty/ depends on entities/ only (see the design).' },
            {
              group: ['express', 'express-*', 'adminjs', '@adminjs/*', '@temporalio/*', 'nodemailer'],
              message: 'loyalty/ stays free of frameworks.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['entities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: [...outerLayers, 'loyalty'].flatMap(layer), message: 'entities/ depend on nothing of the project.' }] },
      ],
    },
  },
  {
    // Workflow code is replayed deterministically in a sandbox: Temporal's workflow API and activity types only.
    files: ['workflows/**/*.workflow.ts', 'workflows/email-retry.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!@temporalio/(workflow|common)$|\\./[\\w-]+\\.workflow\\.js$|\\./email-retry\\.js$)',
              allowTypeImports: true,
              message: 'Workflow files import @temporalio/workflow, other workflow files and activity types only.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
