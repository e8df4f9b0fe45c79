/**
 * jest runs TypeScript through ts-jest in CommonJS, transpile-only (tsc does the type check).
 * The @actions/* 3.x packages are ESM-only: the resolver picks their `import` entry and ts-jest
 * transpiles those files to CommonJS too (see test/jest/resolver.js).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/actions', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  resolver: '<rootDir>/test/jest/resolver.js',
  // Slowest files first (durations of a recent run): the two workers end together.
  testSequencer: '<rootDir>/test/jest/sequencer.cjs',
  moduleNameMapper: {
    '^@deploy-engine/core$': '<rootDir>/packages/core/src/index.ts',
    '^@deploy-engine/action-kit$': '<rootDir>/packages/action-kit/src/index.ts',
  },
  transform: {
    '^.+\\.[tj]s$': [
      'ts-jest',
      {
        tsconfig: {
          isolatedModules: true,
          module: 'commonjs',
          moduleResolution: 'node10',
          allowJs: true,
          target: 'ES2022',
          esModuleInterop: true,
          resolveJsonModule: true,
        },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@actions/)'],
  // End-to-end tests run several deploys each; two workers share two cores (scripts/test.sh).
  testTimeout: 180000,
};
