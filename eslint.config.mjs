// Lint: typescript-eslint's recommended rules, plus the layer boundaries the code is organised by
// (docs/ARCHITECTURE.md): the core never reaches outward, and nothing outside test/ imports tests.
import tseslint from 'typescript-eslint';

const noTests = { regex: '^(\\.\\./)+test/', message: 'production code never imports from test/' };
const layer = (from, forbidden) => ({
  files: [`${from}/**/*.ts`],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [noTests, ...forbidden.map((f) => ({ regex: `^(\\.\\./)+${f}(/|$)`, message: `${from}/ must not import ${f}/ (layering)` }))] },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.skyfed/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  layer('shared', ['functions', 'local']),
  layer('functions', ['local']),
  layer('local', []),
);
