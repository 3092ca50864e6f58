// Lint with type information: promises that nobody awaits, conditions that cannot be false, and
// switches that miss a case are mistakes the compiler lets through (issue 13).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A switch without a default must name every case; one with a default says what the rest does
      // (zod's issue codes, Node's error codes: unions that grow with a dependency's next release).
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unnecessary-condition': 'error',
      // Leaving a field out of a copy ({ id: _, ...rest }) is what the rest is for.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // An async function that throws rejects, which is how a function that returns a promise must
      // fail (test fakes of the broker connection do exactly that); it needs no await for that.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON off the wire and use vitest's asymmetric matchers (expect.any is typed any); there
    // the assertions are the type check. The promise and exhaustiveness rules apply to tests as well.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      // Plain Node.js scripts (benchmarks, test workers): the globals they use.
      globals: Object.fromEntries(['process', 'console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'setImmediate', 'URL', 'Buffer', 'performance', 'fetch', 'AbortSignal', 'AbortController', 'TextDecoder', 'structuredClone', 'queueMicrotask'].map((name) => [name, 'readonly'])),
    },
  },
  {
    // The status page runs in the browser (issue 16): its globals, and uPlot's, which its own script tag defines.
    files: ['src/http/page/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(['window', 'document', 'Node', 'EventSource', 'fetch', 'console', 'setInterval', 'uPlot'].map((name) => [name, 'readonly'])),
    },
  },
);
