import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'runner-contract',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: { types: ['node', 'jest'] } }] },
};
