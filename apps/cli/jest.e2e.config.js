import preset from '../../jest.preset.js';

/**
 * Runs the built command (bin/daytona.js) as a child process against a live stack: needs
 * `npx nx run cli:build` and DAYTONA_API_URL / DAYTONA_API_KEY, as tools/e2e/with-stack.mjs sets.
 */
export default {
  ...preset,
  displayName: 'cli:e2e',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 60_000,
};
