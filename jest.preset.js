/**
 * Shared Jest settings. The code is ESM (NestJS 12 ships as ESM), so Jest runs with
 * --experimental-vm-modules and ts-jest emits ESM. Type checking is left to `tsc`
 * (the typecheck targets), which keeps test start-up fast.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
};
