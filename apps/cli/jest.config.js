import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'cli:unit',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
