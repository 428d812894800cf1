import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'runner',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  // The suites mostly wait on real sandboxes, not on the CPU, so two workers pay off even on 2 cores.
  maxWorkers: 2,
};
