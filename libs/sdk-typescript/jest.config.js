import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'sdk-typescript:unit',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
