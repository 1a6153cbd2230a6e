import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.rebound/**', 'bin/**', '*.config.js', '*.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The workflow sandbox: deterministic code only. No Node built-ins, no I/O modules, and
    // activities by `import type` only (their code must never be bundled into workflows).
    files: ['workflows/**/*.ts', 'bench/handwritten-workflow.ts', 'bench/workflows.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code runs in a deterministic sandbox: no Node built-ins.' })),
          patterns: [
            { group: ['**/activities', '**/activities/**'], allowTypeImports: true, message: 'Import activities with `import type` only.' },
            { regex: '^zod$|/model/(steps(/(?!kinds$)[a-z-]+)?|runbook|catalog|params|duration-schema|inventory)$', allowTypeImports: true, message: 'Schemas stay out of the workflow bundle: import their types only.' },
            { group: ['**/runtime/**', '**/worker/**', '**/cli/**', '**/model/loader', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'pino', 'pino-pretty', 'yaml', 'commander', 'fs', 'http', 'https', 'child_process', 'net'], message: 'Workflow code must not do I/O.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'fetch', message: 'I/O belongs in activities.' },
        { name: 'process', message: 'Workflow code must not read the process environment.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Non-deterministic: use uuid4() from @temporalio/workflow.' },
      ],
    },
  },
  {
    // The model is shared with workflows, so it must stay pure too (the loader is the one file that reads files).
    files: ['model/**/*.ts'],
    ignores: ['model/loader.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins.map((name) => ({ name, message: 'The model is pure: workflows import it.' })) }],
      'no-restricted-globals': ['error', { name: 'process', message: 'The model is pure: workflows import it.' }],
    },
  },
);
