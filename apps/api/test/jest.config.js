import preset from '../../../jest.preset.js';

export default {
  ...preset,
  displayName: 'api:integration',
  rootDir: '..',
  testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
};
