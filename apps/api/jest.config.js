import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'api:unit',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
