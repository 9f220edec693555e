import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
);
