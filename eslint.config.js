// Lint: typescript-eslint recommended rules plus the import-direction rules of DESIGN.md.
// Imports point inward only: server → core → protocol; console/cli → client → protocol; tracker → protocol (types).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'http', 'https', 'net', 'crypto', 'child_process', 'worker_threads',
  'stream', 'url', 'util', 'events', 'zlib', 'dns', 'tls', 'cluster', 'process', 'buffer', 'timers',
];

/** @param {string[]} forbidden */
const restrict = (forbidden, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }],
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'packages/tracker/build/**', 'packages/server/resources/**', 'packages/console/dist/**', 'packages/console/scripts/**', '.ci-work/**', 'examples/**/*.js', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['packages/protocol/src/**/*.ts'],
    rules: restrict(['@beckon/*', ...nodeBuiltins], 'protocol imports nothing of ours and no node:* (DESIGN.md layout)'),
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts'],
    rules: {
      ...restrict(
        ['@beckon/server', '@beckon/client', '@beckon/cli', '@beckon/tracker', '@beckon/console', ...nodeBuiltins],
        'core is pure: it may import only @beckon/protocol, no node:* and no I/O (DESIGN.md layout)',
      ),
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core takes its clock as a parameter' },
        { object: 'Math', property: 'random', message: 'core takes its ids / randomness as a parameter' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'core has no process access' },
        { name: 'setTimeout', message: 'core takes timers as a parameter' },
        { name: 'setInterval', message: 'core takes timers as a parameter' },
      ],
    },
  },
  {
    files: ['packages/console/src/**/*.{ts,tsx}'],
    rules: restrict(
      ['@beckon/server', '@beckon/core', '@beckon/core/*', '@beckon/cli', '@beckon/tracker', ...nodeBuiltins],
      'console → client → protocol only (DESIGN.md layout)',
    ),
  },
  {
    files: ['packages/client/src/**/*.ts'],
    rules: restrict(['@beckon/server', '@beckon/core', '@beckon/cli', '@beckon/tracker'], 'client → protocol only'),
  },
  {
    files: ['packages/cli/src/**/*.ts'],
    rules: restrict(['@beckon/tracker', '@beckon/console'], 'cli → client / server entry only'),
  },
  {
    files: ['packages/server/src/**/*.ts'],
    rules: restrict(['@beckon/client', '@beckon/cli', '@beckon/tracker', '@beckon/console'], 'server → core → protocol only'),
  },
  {
    files: ['packages/tracker/src/**/*.ts'],
    rules: restrict(['@beckon/server', '@beckon/core', '@beckon/client', '@beckon/cli', ...nodeBuiltins], 'tracker → protocol (types only)'),
  },
  {
    files: ['**/*.test.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-properties': 'off', 'no-restricted-globals': 'off' },
  },
);
