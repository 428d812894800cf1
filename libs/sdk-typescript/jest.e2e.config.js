import preset from '../../jest.preset.js';

/** Needs DAYTONA_API_URL and DAYTONA_API_KEY of a live stack: run through tools/e2e/with-stack.mjs. */
export default {
  ...preset,
  displayName: 'sdk-typescript:e2e',
  rootDir: '.',
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
  testTimeout: 60_000,
};
