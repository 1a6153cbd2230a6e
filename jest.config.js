/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': swc,
    // The CEL library and `cookie` (used by fastify's inject) ship ES modules only; jest's module system needs them as CommonJS.
    '^.+/node_modules/(@marcbachmann/cel-js|cookie)/.+\\.js$': swc,
  },
  transformIgnorePatterns: ['/node_modules/(?!(@marcbachmann/cel-js|cookie)/)'],
  testTimeout: 120_000,
  // Temporal servers and workers are heavy: two files at a time on a 2-core machine.
  maxWorkers: 2,
};
